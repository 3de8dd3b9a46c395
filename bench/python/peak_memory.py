"""Peak resident memory of this process plus its live children (the Spark JVM), in MB."""
import os


def _hwm_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def peak_mb():
    children = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as f:
                children += f.read().split()
        except OSError:
            pass
    return _hwm_mb(os.getpid()) + sum(_hwm_mb(int(c)) for c in children)
