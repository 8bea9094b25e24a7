"""The camera: face photo and the 高拍仪 (document camera) role.

- :class:`Camera` — capture in a supervised worker thread, ``latest_frame()``, ``still()``.
- :class:`OpenCVSource` / :class:`EmulatedSource` — where frames come from.
- :func:`capture_document` — find, straighten and sharpness-check a page (document.py).
- :func:`check_face` — one face, big enough, centred, sharp (face.py).
- :mod:`drivers.camera.scenes` — what the emulated camera shows.
"""

from drivers.camera.camera import Camera
from drivers.camera.document import DocumentShot, capture_document, find_page
from drivers.camera.face import FaceShot, check_face, load_detector
from drivers.camera.frames import BadFrame, Rejection
from drivers.camera.sources import EmulatedSource, FrameSource, OpenCVSource

__all__ = [
    "BadFrame",
    "Camera",
    "DocumentShot",
    "EmulatedSource",
    "FaceShot",
    "FrameSource",
    "OpenCVSource",
    "Rejection",
    "capture_document",
    "check_face",
    "find_page",
    "load_detector",
]
