#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Facts about the machine the process runs on, read once.
public enum SystemInfo {
    /// Online cores (at least 1). Read once: `sysconf` opens /sys/devices/system/cpu/online on
    /// every call, three system calls that showed up in the profile of every evaluated request.
    public static let coreCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}
