package dev.tollgate.kernel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.kernel.governance.limits.OnStateOutage;
import dev.tollgate.kernel.governance.limits.OnStateOutage.Mode;
import dev.tollgate.spi.config.ConfigException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code governance.on_state_outage}: its defaults, both values of each concern, and what is refused. */
class GovernanceOutageConfigTest {

    @TempDir
    Path dir;

    private GovernanceSettings governance(String yaml) {
        return new ConfigLoader(new References(Map.<String, String>of()::get, dir), dir).parse(yaml, null).governance();
    }

    @Test
    void withoutTheSectionRateLimitsAreOpenAndBudgetsClosed() {
        assertThat(governance("").onStateOutage()).isEqualTo(new OnStateOutage(Mode.OPEN, Mode.CLOSED));
        assertThat(governance("governance: {time_zone: UTC}").onStateOutage()).isEqualTo(OnStateOutage.DEFAULTS);
        assertThat(governance("governance: {on_state_outage: {}}").onStateOutage()).isEqualTo(OnStateOutage.DEFAULTS);
    }

    @Test
    void eachConcernIsReadOnItsOwn() {
        assertThat(governance("governance: {on_state_outage: {rate_limits: closed}}").onStateOutage())
                .isEqualTo(new OnStateOutage(Mode.CLOSED, Mode.CLOSED));
        assertThat(governance("governance: {on_state_outage: {budgets: open}}").onStateOutage())
                .isEqualTo(new OnStateOutage(Mode.OPEN, Mode.OPEN));
        assertThat(governance("""
                governance:
                  on_state_outage:
                    rate_limits: closed
                    budgets: open
                """).onStateOutage()).isEqualTo(new OnStateOutage(Mode.CLOSED, Mode.OPEN));
    }

    @Test
    void theSettingSurvivesReplacingTheDataFolder() {
        GovernanceSettings g = governance("governance: {on_state_outage: {rate_limits: closed, budgets: open}}");
        assertThat(g.withDataDir(dir.resolve("other")).onStateOutage()).isEqualTo(g.onStateOutage());
    }

    @Test
    void aValueOtherThanOpenOrClosedIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> governance("governance: {on_state_outage: {budgets: fail_open}}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("governance.on_state_outage.budgets must be open (admit unenforced) or closed (refuse with 503), not fail_open");
        assertThatThrownBy(() -> governance("governance: {on_state_outage: {rate_limits: OPEN}}"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("governance.on_state_outage.rate_limits must be open");
        assertThatThrownBy(() -> governance("governance: {on_state_outage: {rate_limits: true}}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("governance.on_state_outage.rate_limits");
    }

    @Test
    void anUnknownConcernOrAScalarSectionIsRefused() {
        assertThatThrownBy(() -> governance("governance: {on_state_outage: {rpm: open}}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("governance.on_state_outage.rpm");
        assertThatThrownBy(() -> governance("governance: {on_state_outage: open}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("governance.on_state_outage");
    }
}
