#!/bin/sh
# One HTTP exchange of the broken release: read the request head, answer 500.
cr=$(printf '\r')
while read -r line; do
  case "$line" in ""|"$cr") break ;; esac
done
body="broken release ${APP_VERSION}"
printf 'HTTP/1.0 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' "${#body}" "$body"
