#!/usr/bin/env python3
# A stand-in StatusNotifierWatcher for tests under Xvfb: owns org.kde.StatusNotifierWatcher on the
# session bus, so OTPDesk sees a desktop that shows tray icons (as KDE, XFCE or GNOME with the
# AppIndicator extension do) and closing its window hides it to the tray; without a watcher
# (plain GNOME) closing minimises instead. It answers no calls (the tray icon itself is not drawn
# anywhere). Runs until killed; prints "ready" once the name is owned. Needs only libdbus-1
# (ctypes), like scripts/wm-close.py needs only libX11.
import ctypes
import sys

NAME = sys.argv[1] if len(sys.argv) > 1 else "org.kde.StatusNotifierWatcher"

dbus = ctypes.cdll.LoadLibrary("libdbus-1.so.3")


class DBusError(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("message", ctypes.c_char_p),
        ("dummy", ctypes.c_uint),
        ("padding1", ctypes.c_void_p),
    ]


dbus.dbus_bus_get.restype = ctypes.c_void_p
dbus.dbus_bus_get.argtypes = [ctypes.c_int, ctypes.POINTER(DBusError)]
dbus.dbus_bus_request_name.restype = ctypes.c_int
dbus.dbus_bus_request_name.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint, ctypes.POINTER(DBusError)]
dbus.dbus_connection_read_write_dispatch.restype = ctypes.c_uint
dbus.dbus_connection_read_write_dispatch.argtypes = [ctypes.c_void_p, ctypes.c_int]
dbus.dbus_error_init.argtypes = [ctypes.POINTER(DBusError)]

DBUS_BUS_SESSION = 0
DBUS_NAME_FLAG_DO_NOT_QUEUE = 4
DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER = 1

err = DBusError()
dbus.dbus_error_init(ctypes.byref(err))
conn = dbus.dbus_bus_get(DBUS_BUS_SESSION, ctypes.byref(err))
if not conn:
    sys.exit(f"sni-watcher: no session bus: {err.message.decode() if err.message else '?'}")
reply = dbus.dbus_bus_request_name(conn, NAME.encode(), DBUS_NAME_FLAG_DO_NOT_QUEUE, ctypes.byref(err))
if reply != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER:
    sys.exit(f"sni-watcher: could not own {NAME} (reply {reply})")
print("ready", flush=True)
while dbus.dbus_connection_read_write_dispatch(conn, -1):
    pass
