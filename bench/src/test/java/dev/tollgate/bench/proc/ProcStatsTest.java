package dev.tollgate.bench.proc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatsTest {

    @Test
    void parsesUtimePlusStimeEvenWithParenthesesInTheName() {
        String stat = "1234 (java (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 20 0 500 0 0";
        assertThat(ProcStats.parseCpuTicks(stat)).isEqualTo(287);
    }

    @Test
    void parsesStatusFields() {
        String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmRSS:\t  123456 kB\nThreads:\t17\n";
        assertThat(ProcStats.parseStatusField(status, "VmRSS:")).isEqualTo(123456);
        assertThat(ProcStats.parseStatusField(status, "Threads:")).isEqualTo(17);
        assertThat(ProcStats.parseStatusField(status, "Nope:")).isEqualTo(-1);
    }

    @Test
    void machineBusyLeavesOutIdleAndIowait() {
        assertThat(ProcStats.parseMachineBusy("cpu  100 5 50 1000 70 3 2 1 0 0")).isEqualTo(161);
    }

    @Test
    void readsThisProcess() {
        long pid = ProcessHandle.current().pid();
        assertThat(ProcStats.cpuTicks(pid)).isGreaterThanOrEqualTo(0);
        assertThat(ProcStats.rssKb(pid)).isPositive();
        assertThat(ProcStats.threads(pid)).isPositive();
        assertThat(ProcStats.sockets(pid)).isGreaterThanOrEqualTo(0);
        assertThat(ProcStats.clockTicks()).isPositive();
        assertThat(ProcStats.cpuTicks(Long.MAX_VALUE / 2)).isEqualTo(-1);
    }
}
