"""The screen registry: screen name → ``"module:Class"`` (imported when the app builds).

To add a screen: write ``screens/<name>.py`` (a :class:`kiosk.ui.base.KioskScreen`
subclass whose ``.kv`` sits beside it), add one line here, and remove the name from
``router.PLANNED`` (``router.BUILT`` gains it). The router sends each session state to its
screen by name (``router.SCREEN_FOR_STATE``); until a screen is registered the app shows
``working`` in its place.
"""

from __future__ import annotations

from importlib import import_module

SCREENS: dict[str, str] = {
    "home": "kiosk.ui.screens.home:HomeScreen",
    "catalog": "kiosk.ui.screens.catalog:CatalogScreen",
    "guide": "kiosk.ui.screens.guide:GuideScreen",
    "working": "kiosk.ui.screens.working:WorkingScreen",
    "out_of_service": "kiosk.ui.screens.out_of_service:OutOfServiceScreen",
    "identify": "kiosk.ui.screens.identify:IdentifyScreen",
    "ineligible": "kiosk.ui.screens.ineligible:IneligibleScreen",
    "face": "kiosk.ui.screens.face:FaceScreen",
    "progress": "kiosk.ui.screens.progress:ProgressScreen",
    "progress_result": "kiosk.ui.screens.progress_result:ProgressResultScreen",
    "form": "kiosk.ui.screens.form:FormScreen",
    "materials": "kiosk.ui.screens.materials:MaterialsScreen",
    "signature": "kiosk.ui.screens.signature:SignatureScreen",
    "confirm": "kiosk.ui.screens.confirm:ConfirmScreen",
    "receipt": "kiosk.ui.screens.receipt:ReceiptScreen",
    "rating": "kiosk.ui.screens.rating:RatingScreen",
}


def screen_class(name: str) -> type:
    module, _, cls = SCREENS[name].partition(":")
    return getattr(import_module(module), cls)
