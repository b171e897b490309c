#!/usr/bin/python3
# A minimal StatusNotifierWatcher (the tray host's D-Bus service that KDE, XFCE or Ubuntu's
# GNOME run) on the session bus, so the app under Xvfb sees a desktop that shows tray icons:
# closing the window then hides it to the tray, as on those desktops (without one it minimises).
# Tray icons register here and are listed; nothing is drawn. Used by tests/e2e/webview-idle.sh
# and scripts/bench-app.sh. Needs python3-dbus and python3-gi (Debian's /usr/bin/python3).
import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

IFACE = "org.kde.StatusNotifierWatcher"


class Watcher(dbus.service.Object):
    def __init__(self, bus):
        self.items = []
        super().__init__(dbus.service.BusName(IFACE, bus), "/StatusNotifierWatcher")

    @dbus.service.method(IFACE, in_signature="s", out_signature="", sender_keyword="sender")
    def RegisterStatusNotifierItem(self, service, sender=None):
        item = service if service.startswith(":") or "/" not in service else sender + service
        if item not in self.items:
            self.items.append(item)
        self.StatusNotifierItemRegistered(item)

    @dbus.service.method(IFACE, in_signature="s", out_signature="")
    def RegisterStatusNotifierHost(self, service):
        self.StatusNotifierHostRegistered()

    @dbus.service.signal(IFACE, signature="s")
    def StatusNotifierItemRegistered(self, item):
        pass

    @dbus.service.signal(IFACE, signature="")
    def StatusNotifierHostRegistered(self):
        pass

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        return self.GetAll(interface)[name]

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return {
            "RegisteredStatusNotifierItems": dbus.Array(self.items, signature="s"),
            "IsStatusNotifierHostRegistered": dbus.Boolean(True),
            "ProtocolVersion": dbus.Int32(0),
        }


DBusGMainLoop(set_as_default=True)
watcher = Watcher(dbus.SessionBus())
print("sni-watcher: org.kde.StatusNotifierWatcher is on the session bus", flush=True)
GLib.MainLoop().run()
