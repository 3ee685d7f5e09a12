// SPDX-License-Identifier: MIT
// Real /proc text captured on a Linux 6.18 machine (2 CPUs, no swap), for the parser tests.
// Only /proc/stat's "intr" line is cut short (to 39 of its counters); the rest is verbatim.
#pragma once

#include <string_view>

namespace vigil::metrics::testing {

// /proc/stat.
inline constexpr std::string_view kProcStat = R"proc(cpu  1895151 83970 497811 828817 2969 0 2586 0 0 0
cpu0 933461 44243 246651 429285 873 0 960 0 0 0
cpu1 961690 39727 251160 399531 2096 0 1625 0 0 0
intr 8866830 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 2 2 9 0 2 0 0 3323 1076 0 283 1 339588 0
ctxt 9599076
btime 1796114309
processes 351647
procs_running 4
procs_blocked 0
softirq 4571292 0 896999 4 3790 339423 0 6 1146862 0 2184208
)proc";

// /proc/meminfo.
inline constexpr std::string_view kProcMeminfo = R"proc(MemTotal:       24683620 kB
MemFree:        21121340 kB
MemAvailable:   22967072 kB
Buffers:            8712 kB
Cached:          2026352 kB
SwapCached:            0 kB
Active:           906380 kB
Inactive:        2103128 kB
Active(anon):       1564 kB
Inactive(anon):   981832 kB
Active(file):     904816 kB
Inactive(file):  1121296 kB
Unevictable:       10596 kB
Mlocked:            9668 kB
SwapTotal:             0 kB
SwapFree:              0 kB
Zswap:                 0 kB
Zswapped:              0 kB
Dirty:              9580 kB
Writeback:             0 kB
AnonPages:        985236 kB
Mapped:            45184 kB
Shmem:              8952 kB
KReclaimable:     214040 kB
Slab:             259652 kB
SReclaimable:     214040 kB
SUnreclaim:        45612 kB
KernelStack:        1584 kB
PageTables:         4124 kB
SecPageTables:         0 kB
NFS_Unstable:          0 kB
Bounce:                0 kB
WritebackTmp:          0 kB
CommitLimit:    12341808 kB
Committed_AS:    1075808 kB
VmallocTotal:   34359738367 kB
VmallocUsed:       14348 kB
VmallocChunk:          0 kB
Percpu:              808 kB
AnonHugePages:         0 kB
ShmemHugePages:        0 kB
ShmemPmdMapped:        0 kB
FileHugePages:     36864 kB
FilePmdMapped:         0 kB
Balloon:               0 kB
HugePages_Total:       0
HugePages_Free:        0
HugePages_Rsvd:        0
HugePages_Surp:        0
Hugepagesize:       2048 kB
Hugetlb:               0 kB
DirectMap4k:       28672 kB
DirectMap2M:    25137152 kB
)proc";

// /proc/loadavg.
inline constexpr std::string_view kProcLoadavg = R"proc(1.51 0.87 1.25 4/97 27074
)proc";

// /proc/pressure/{cpu,memory,io}.
inline constexpr std::string_view kPressureCpu = R"proc(some avg10=40.43 avg60=12.85 avg300=4.78 total=7088776280
full avg10=0.00 avg60=0.00 avg300=0.00 total=0
)proc";

inline constexpr std::string_view kPressureMemory = R"proc(some avg10=0.00 avg60=0.00 avg300=0.00 total=0
full avg10=0.00 avg60=0.00 avg300=0.00 total=0
)proc";

inline constexpr std::string_view kPressureIo = R"proc(some avg10=0.13 avg60=0.09 avg300=0.02 total=47754500
full avg10=0.00 avg60=0.01 avg300=0.00 total=18277472
)proc";

// /proc/self/{stat,status,smaps_rollup} of a python3.
inline constexpr std::string_view kSelfStat =
    R"proc(27034 (python3) R 27030 27030 25213 0 -1 4194304 2844 6522 2 0 9 7 15 32 20 0 1 0 1662343 16961536 3350 18446744073709551615 94758845034496 94758845034837 140736189166736 0 0 0 0 16781312 2 0 0 0 17 0 0 0 0 0 0 94758845046192 94758845046808 94759482699776 140736189167555 140736189167598 140736189167598 140736189169615 0
)proc";

inline constexpr std::string_view kSelfStatus = R"proc(Name:	python3
Umask:	0022
State:	R (running)
Tgid:	27034
Ngid:	0
Pid:	27034
PPid:	27030
TracerPid:	0
Uid:	0	0	0	0
Gid:	0	0	0	0
FDSize:	256
Groups:	 
NStgid:	27034
NSpid:	27034
NSpgid:	27030
NSsid:	25213
Kthread:	0
VmPeak:	   16564 kB
VmSize:	   16564 kB
VmLck:	       0 kB
VmPin:	       0 kB
VmHWM:	   13580 kB
VmRSS:	   13580 kB
RssAnon:	    6896 kB
RssFile:	    6684 kB
RssShmem:	       0 kB
VmData:	    7944 kB
VmStk:	     132 kB
VmExe:	       4 kB
VmLib:	    4672 kB
VmPTE:	      68 kB
VmSwap:	       0 kB
HugetlbPages:	       0 kB
CoreDumping:	0
THP_enabled:	1
untag_mask:	0xffffffffffffffff
Threads:	1
SigQ:	0/96364
SigPnd:	0000000000000000
ShdPnd:	0000000000000000
SigBlk:	0000000000000000
SigIgn:	0000000001001000
SigCgt:	0000000000000002
CapInh:	0000000000000000
CapPrm:	000001fffeffffff
CapEff:	000001fffeffffff
CapBnd:	000001fffeffffff
CapAmb:	0000000000000000
NoNewPrivs:	0
Seccomp:	0
Seccomp_filters:	0
Speculation_Store_Bypass:	vulnerable
SpeculationIndirectBranch:	always enabled
Cpus_allowed:	3
Cpus_allowed_list:	0-1
Mems_allowed:	00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000001
Mems_allowed_list:	0
voluntary_ctxt_switches:	16
nonvoluntary_ctxt_switches:	28
)proc";

inline constexpr std::string_view kSelfSmapsRollup =
    R"proc(562ec34c2000-7fffb2900000 ---p 00000000 00:00 0                          [rollup]
Rss:               13580 kB
Pss:               11736 kB
Pss_Dirty:          6896 kB
Pss_Anon:           6896 kB
Pss_File:           4840 kB
Pss_Shmem:             0 kB
Shared_Clean:       2052 kB
Shared_Dirty:          0 kB
Private_Clean:      4632 kB
Private_Dirty:      6896 kB
Referenced:        13580 kB
Anonymous:          6896 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
)proc";

// PID 1 of a container: nice -10 (a negative field) and times of reaped children.
inline constexpr std::string_view kInitStat =
    R"proc(1 (process_api) S 0 0 0 0 -1 4194560 95224 265529244 0 5550 3177 8544 1883309 443350 10 -10 14 0 20 41275392 2391 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0
)proc";

// A kernel thread: parent, group and session 0, no memory.
inline constexpr std::string_view kKthreaddStat =
    R"proc(2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 20 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0
)proc";

// A copy of sleep(1) started as "a) b (c": the comm holds blanks and both parentheses.
inline constexpr std::string_view kOddCommStat =
    R"proc(25863 (a) b (c) S 25862 25858 25213 0 -1 4194304 128 0 0 0 0 0 0 0 20 0 1 0 1649678 2990080 389 18446744073709551615 94135109005312 94135109023241 140731676236912 0 0 0 0 6 0 1 0 0 17 0 0 0 0 0 0 94135109037328 94135109038592 94136097869824 140731676240281 140731676240313 140731676240313 140731676241883 0
)proc";

// A python3 with three threads besides the main one, after some work by its children.
inline constexpr std::string_view kThreadedStat =
    R"proc(25868 (python3) R 25858 25858 25213 0 -1 4194304 2840 6518 17 2 6 4 12 12 20 0 4 0 1649701 243519488 3345 18446744073709551615 94779514912768 94779514913109 140736929446192 0 0 0 0 16781312 2 0 0 0 17 1 0 0 0 0 0 94779514924464 94779514925080 94779896627200 140736929453903 140736929454098 140736929454098 140736929456079 0
)proc";

}  // namespace vigil::metrics::testing
