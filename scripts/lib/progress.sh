# Sourced by the set-up scripts. with_progress LABEL DIR EXPECTED -- COMMAND…: runs COMMAND and, while it runs, prints
# a line every PROGRESS_EVERY seconds (default 20) with the time so far and, when DIR is given, how much is in DIR
# against the EXPECTED size (e.g. "2.8 GB"). Returns COMMAND's exit code.
with_progress() {
	local label="$1" dir="$2" expected="$3"
	shift 4
	local started parent=$$
	started="$(date +%s)"
	(
		while sleep "${PROGRESS_EVERY:-20}"; do
			kill -0 "$parent" 2>/dev/null || exit 0
			local size=""
			if [ -n "$dir" ] && [ -d "$dir" ]; then
				size="$(du -sm "$dir" 2>/dev/null | cut -f1 | awk '{ printf "%.1f GB", $1 / 1024 }')"
				size=", ${size} of ~${expected} in ${dir}"
			fi
			echo "   … ${label}: $(($(date +%s) - started)) s${size}"
		done
	) &
	local monitor=$! code=0
	"$@" || code=$?
	kill "$monitor" 2>/dev/null || true
	wait "$monitor" 2>/dev/null || true
	echo "   ${label}: $( [ "$code" = 0 ] && echo done || echo "FAILED (exit $code)" ) in $(($(date +%s) - started)) s"
	return "$code"
}
