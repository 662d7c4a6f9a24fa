# config.sh - source it: sets SIOKIT_HOME and puts siokit's commands on PATH.
#     . ./config.sh
SIOKIT_HOME=$(cd "$(dirname "${BASH_SOURCE:-$0}")" && pwd)
export SIOKIT_HOME
case ":$PATH:" in
    *":$SIOKIT_HOME/build/bin:"*) ;;
    *) PATH="$SIOKIT_HOME/build/bin:$PATH" ;;
esac
export PATH
