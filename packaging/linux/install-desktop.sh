#!/bin/sh
# Adds Mini-Giants to the desktop's application menu for this user: a .desktop launcher pointing at
# the bundle this script sits in, and the icon. Run it again after moving the folder; run it with
# --remove to take both out again. Nothing outside ~/.local/share is touched.
set -eu
bundle=$(cd "$(dirname "$0")" && pwd)
share=${XDG_DATA_HOME:-$HOME/.local/share}
launcher="$share/applications/mini-giants.desktop"
icon="$share/icons/hicolor/scalable/apps/mini-giants.svg"
if [ "${1:-}" = "--remove" ]; then
  rm -f "$launcher" "$icon"
  echo "Removed Mini-Giants from the application menu."
  exit 0
fi
mkdir -p "$share/applications" "$share/icons/hicolor/scalable/apps"
sed "s|@BUNDLE@|$bundle|g" "$bundle/share/mini-giants.desktop.in" > "$launcher"
cp "$bundle/share/mini-giants.svg" "$icon"
chmod 644 "$launcher" "$icon"
# Let menus notice at once where the tools exist; harmless where they do not.
update-desktop-database "$share/applications" 2>/dev/null || true
gtk-update-icon-cache -q "$share/icons/hicolor" 2>/dev/null || true
echo "Mini-Giants is in your application menu ($launcher)."
