#!/usr/bin/env python3
# Closes X windows the way a window manager's close button does: sends each window id given on
# the command line a WM_DELETE_WINDOW client message (ICCCM). Under Xvfb there is no window
# manager (`xdotool windowkill` would kill the whole client instead). Used by
# tests/e2e/webview-idle.sh and scripts/bench-app.sh. Needs only libX11 (ctypes).
import ctypes
import sys

x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XInternAtom.restype = ctypes.c_ulong
x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
x11.XFlush.argtypes = [ctypes.c_void_p]
x11.XCloseDisplay.argtypes = [ctypes.c_void_p]


class XClientMessageEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("xclient", XClientMessageEvent), ("pad", ctypes.c_long * 24)]


CLIENT_MESSAGE = 33

display = x11.XOpenDisplay(None)
if not display:
    sys.exit("wm-close: cannot open the X display (DISPLAY not set?)")
protocols = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
delete = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
for arg in sys.argv[1:]:
    ev = XEvent()
    ev.xclient.type = CLIENT_MESSAGE
    ev.xclient.window = int(arg, 0)
    ev.xclient.message_type = protocols
    ev.xclient.format = 32
    ev.xclient.data[0] = delete
    ev.xclient.data[1] = 0  # CurrentTime
    x11.XSendEvent(display, int(arg, 0), 0, 0, ctypes.byref(ev))
x11.XFlush(display)
x11.XCloseDisplay(display)
