#!/bin/sh
# PID 1 of the demo container. It traps SIGTERM itself, so `docker stop` is quick even without
# an init process.
PORT=${PORT:-8080}
if [ "$(cat /app/broken 2>/dev/null)" = true ]; then
  case "${DEMO_BROKEN_MODE:-500}" in
    exit)
      echo "stevedore-demo ${APP_VERSION}: broken release, exiting" >&2
      sleep 1
      exit 1 ;;
    *)
      echo "stevedore-demo ${APP_VERSION}: broken release, answering 500 on port ${PORT}" >&2
      nc -ll -p "${PORT}" -e /app/broken-handler.sh &
      ;;
  esac
else
  echo "stevedore-demo ${APP_VERSION}: httpd on port ${PORT}" >&2
  httpd -f -p "${PORT}" -h /www &
fi
child=$!
trap 'kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
wait "$child"
