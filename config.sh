# config.sh - source it: sets SIOKIT_HOME and puts siokit's commands on PATH.
#     . ./config.sh
SIOKIT_HOME=$(cd "$(dirname "${BASH_SOURCE:-$0}")" && pwd)
export SIOKIT_HOME
for d in perf tracegen vmwrapper collector; do
    case ":$PATH:" in
        *":$SIOKIT_HOME/build/$d:"*) ;;
        *) PATH="$SIOKIT_HOME/build/$d:$PATH" ;;
    esac
done
export PATH
unset d
