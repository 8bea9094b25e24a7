"""The citizen UI (Kivy only here): the app shell, the theme, the screens and their widgets.

Start it with :func:`kiosk.ui.app.run`. Importing this package does not import Kivy.
"""
