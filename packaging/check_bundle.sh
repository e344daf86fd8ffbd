#!/usr/bin/env bash
# Checks a built bundle as CI and a release manager would: its --self-test headless against a real
# GGUF, then its GUI started on a fresh data folder under Xvfb must show the Mini-Giants window.
# Prints the cold start (launch to window shown). Usage:
#   packaging/check_bundle.sh [APP] [MODEL.gguf]
# APP defaults to dist/Mini-Giants/minigiants (give .venv/bin/minigiants to time the venv);
# MODEL defaults to the starter model installed in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
app=${1:-dist/Mini-Giants/minigiants}
model=${2:-$(.venv/bin/python -c 'from app.hub.starter import starter_model_path; print(starter_model_path())')}
work=$(mktemp -d)
trap 'kill "${pid:-}" "${xvfb:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

echo "== self-test, headless"
env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM MINIGIANTS_HOME="$work/self-test" \
  "$app" --self-test --model "$model"

echo "== the API (minigiants serve), headless"
# uvicorn finds its parts by name at run time: the bundle must carry them. A real request, the
# key from the vault, answered by the bundle's own engine.
api_env=(env -u DISPLAY MINIGIANTS_HOME="$work/api" MINIGIANTS_PASSPHRASE="bundle check harbor lantern")
"${api_env[@]}" "$app" vault init 2>/dev/null
"${api_env[@]}" "$app" serve --model "$model" --ctx 512 --port 0 --show-key \
  >"$work/api.key" 2>"$work/api.log" &
api=$!
for _ in $(seq 600); do grep -q "^Serving" "$work/api.log" && [ -s "$work/api.key" ] && break; sleep 0.1; done
url=$(sed -n 's/^Serving .* at \(http[^ ]*\) .*/\1/p' "$work/api.log")
if [ -z "$url" ]; then echo "serve did not start; its output:" >&2; cat "$work/api.log" >&2; exit 1; fi
python3 - "$url" "$(cat "$work/api.key")" <<'PY'
import json, sys, urllib.request
url, key = sys.argv[1], sys.argv[2]
def ask(path, body=None):
    request = urllib.request.Request(url + path, data=body and json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {key}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.load(answer)
model = ask("/models")["data"][0]["id"]
reply = ask("/chat/completions", {"model": model, "max_tokens": 8, "temperature": 0,
                                  "messages": [{"role": "user", "content": "Say hello."}]})
assert reply["choices"][0]["message"]["content"], reply
print(f"the API answered with {model}: {reply['usage']['completion_tokens']} tokens")
PY
kill -INT "$api"
wait "$api" || { echo "serve did not stop cleanly; its output:" >&2; cat "$work/api.log" >&2; exit 1; }

if command -v qemu-x86_64 >/dev/null && [ "$(uname -m)" = x86_64 ]; then
  # The bundle's own llama.cpp libraries on older processors, the executable itself under the
  # emulator. Its bootloader (PyInstaller, Linux, one folder) sets LD_LIBRARY_PATH and re-executes
  # itself, and qemu-user does not follow an exec: given the environment the re-executed process
  # gets, it runs on at once, emulated. (Its engine probe, a child, runs natively: what this
  # checks is the choice each variant's score makes on the emulated processor, and the chat.)
  bundle=$(cd "$(dirname "$app")" && pwd)
  as_restarted=(env _PYI_ARCHIVE_FILE="$bundle/$(basename "$app")" _PYI_PARENT_PROCESS_LEVEL=-1
    _PYI_LINUX_PROCESS_NAME="$(basename "$app")" LD_LIBRARY_PATH="$bundle/_internal")
  quiet() { grep -v "TCG doesn't support requested feature" >&2 || true; }  # qemu's own chatter
  for pair in Nehalem:sse42 Haswell-v4:haswell; do
    cpu=${pair%%:*} expected=${pair##*:}
    echo "== on an older processor: qemu-x86_64 -cpu $cpu"
    home="$work/qemu-$cpu"
    chosen=$("${as_restarted[@]}" MINIGIANTS_HOME="$home" qemu-x86_64 -cpu "$cpu" "$app" doctor \
      --json 2> >(quiet) | python3 -c 'import json, sys; print(json.load(sys.stdin)["hardware"]["backends"]["cpu_variant"])')
    if [ "$chosen" != "$expected" ]; then
      echo "expected llama.cpp's $expected code on $cpu, the bundle chose $chosen" >&2; exit 1
    fi
    "${as_restarted[@]}" MINIGIANTS_HOME="$home" qemu-x86_64 -cpu "$cpu" "$app" chat --model "$model" \
      --ctx 512 --max-tokens 8 --temperature 0 "Say hello." 2> >(quiet)
    echo
    echo "$cpu: the bundle chose its '$chosen' code and answered"
  done
fi

folder=$(cd "$(dirname "$app")" && pwd)
if [ -x "$folder/install-desktop.sh" ]; then
  echo "== the application-menu launcher"
  launcher="$work/share/applications/mini-giants.desktop"
  XDG_DATA_HOME="$work/share" "$folder/install-desktop.sh"
  grep -qx "Exec=\"$folder/minigiants\"" "$launcher"
  test -s "$work/share/icons/hicolor/scalable/apps/mini-giants.svg"
  if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$launcher"; fi
  XDG_DATA_HOME="$work/share" "$folder/install-desktop.sh" --remove
  test ! -e "$launcher"
fi

echo "== the window, on a fresh data folder under Xvfb"
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 50); do DISPLAY=$display xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.1; done
start=$(date +%s%N)
DISPLAY=$display MINIGIANTS_HOME="$work/gui" QT_QPA_PLATFORM=xcb "$app" >"$work/gui.log" 2>&1 &
pid=$!
window=""
for _ in $(seq 1200); do  # every 50 ms for up to 60 s (xdotool's own --sync looks every 500 ms)
  window=$(DISPLAY=$display xdotool search --onlyvisible --name '^Mini-Giants$' 2>/dev/null | head -1) || true
  [ -n "$window" ] && break
  sleep 0.05
done
if [ -z "$window" ]; then
  echo "no Mini-Giants window appeared within 60 s; its output:" >&2; cat "$work/gui.log" >&2; exit 1
fi
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "window shown ${elapsed_ms} ms after launch ($app)"
DISPLAY=$display xdotool windowfocus --sync "$window" 2>/dev/null  # no window manager to do it
DISPLAY=$display xdotool key ctrl+q
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then echo "the app did not quit on Ctrl+Q" >&2; exit 1; fi
wait "$pid" || { echo "the app exited with status $?; its output:" >&2; cat "$work/gui.log" >&2; exit 1; }
echo "bundle check passed"
