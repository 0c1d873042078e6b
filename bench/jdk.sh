# Sourced by the bench scripts: exports JAVA_HOME as a JDK 21+ (JAVA_HOME if new enough, else
# Temurin 25 or another JDK under /usr/lib/jvm, else java on the PATH), or exits with a message.

java_major() { # prints the feature version of the java binary $1, or 0
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -1 || echo 0
}

pick_java_home() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && "$(java_major "$JAVA_HOME/bin/java")" -ge 21 ]]; then
    echo "$JAVA_HOME"; return
  fi
  if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
    echo /usr/lib/jvm/temurin-25-jdk-amd64; return
  fi
  local d
  for d in /usr/lib/jvm/*; do
    if [[ -x "$d/bin/java" && "$(java_major "$d/bin/java")" -ge 21 ]]; then echo "$d"; return; fi
  done
  if command -v java >/dev/null && [[ "$(java_major "$(command -v java)")" -ge 21 ]]; then
    dirname "$(dirname "$(readlink -f "$(command -v java)")")"; return
  fi
  echo "bench: no JDK 21 or newer found (JAVA_HOME, /usr/lib/jvm/*); install one and set JAVA_HOME" >&2
  exit 1
}

JAVA_HOME="$(pick_java_home)"
export JAVA_HOME
