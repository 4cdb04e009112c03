#!/usr/bin/env bash
# stream-agent.sh — stream-agent.mjs's output as a shell loop (no Node process per agent), so that
# bench:tui can run 100 agents without the generators starving the screen. Streams coloured lines at
# --rate bytes per second and echoes every key it receives at once as `KEY<text>`; --input-line keeps
# the echo on row 1 while rows 2..N scroll (as stream-agent.mjs does). Needs bash ≥ 5 (EPOCHREALTIME).
rate=2000
input_line=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) rate=$2; shift 2 ;;
    --input-line) input_line=1; shift ;;
    *) shift ;;
  esac
done
id=${RALPH_AGENT_ID:-W?}
stty raw -echo 2>/dev/null
read -r rows _ < <(stty size 2>/dev/null)
[ "${rows:-0}" -gt 0 ] || rows=24
if [ "$input_line" = 1 ]; then printf '\e[2;%dr\e[%d;1H' "$rows" "$rows"; fi

# Sixteen lines built once (a bold coloured id, a dim counter, six 256-colour tokens, a truecolour one).
colours=(31 32 33 34 35 36 91 92 93 94 95 96)
lines=()
for ((n = 1; n <= 16; n++)); do
  line=$(printf '\e[1;%dm%s\e[0m \e[2m%7d\e[0m' "${colours[n % 12]}" "$id" "$n")
  for ((i = 0; i < 6; i++)); do line+=$(printf ' \e[38;5;%dmtoken_%d\e[0m' $(((n * 7 + i * 31) % 256)) $(((n * 13 + i) % 997))); done
  line+=$(printf ' \e[38;2;%d;%d;200mrgb\e[0m' $((n % 256)) $((n * 3 % 256)))
  lines+=("$line"$'\r\n')
done
bytes=${#lines[0]}

printf 'stream agent %s at %s B/s\r\n' "$id" "$rate"
owed=0
last=${EPOCHREALTIME/./}
n=0
while :; do
  # A key that arrives as the timeout fires is kept in $key though read reports the timeout.
  key=''
  read -r -s -n 1 -t 0.1 key
  if [ -n "$key" ]; then
    rest=''
    read -r -s -t 0.002 -n 63 rest
    key+=$rest
    [ "$key" = $'\x03' ] && exit 130
    if [ "$input_line" = 1 ]; then printf '\e7\e[1;1H\e[2KKEY%s\e8' "$key"; else printf '\r\nKEY%s\r\n' "$key"; fi
  fi
  now=${EPOCHREALTIME/./}
  owed=$((owed + (now - last) * rate / 1000000))
  last=$now
  chunk=''
  while ((owed > 0)); do
    chunk+=${lines[n++ % 16]}
    owed=$((owed - bytes))
  done
  [ -n "$chunk" ] && printf '%s' "$chunk"
done
