# A process that holds exactly as many open file descriptors as it is sent, one number per line,
# and answers with the count the kernel then reports. It counts its fds with a glob of
# /proc/PID/fd (no fork; the glob's own directory fd is subtracted), then opens /dev/null or closes
# its newest fds until the count is the target. Used by the tests (FdHolder) and the demo.
count() { local f=(/proc/$BASHPID/fd/*); n=$(( ${#f[@]} - 1 )); }
opened=()
echo ready
while read -r target; do
    count
    while (( n < target )); do exec {fd}</dev/null || break; opened+=($fd); n=$((n+1)); done
    while (( n > target && ${#opened[@]} > 0 )); do fd=${opened[-1]}; unset 'opened[-1]'; exec {fd}<&-; n=$((n-1)); done
    count
    echo $n
done
