package dev.tollgate.kernel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.store.Budget;
import dev.tollgate.spi.store.Limits;
import dev.tollgate.spi.store.Period;
import dev.tollgate.spi.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code governance} and {@code state} sections. */
class GovernanceConfigTest {

    @TempDir
    Path home;

    private GatewayConfig parse(String yaml) {
        return new ConfigLoader(new References(Map.of("REDIS", "redis://127.0.0.1:1/0")::get, home), home).parse(yaml, null);
    }

    @Test
    void defaultsKeepTheStoreInTheInstallationsDataFolderAndStateInProcess() {
        GatewayConfig c = parse("");

        assertThat(c.governance().dataDir()).isEqualTo(home.resolve("data"));
        assertThat(c.governance().timeZone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(c.governance().powerLossSafe()).isFalse();
        assertThat(c.governance().allowUnpriced()).isFalse();
        assertThat(c.governance().reservationLease()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.governance().refreshInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.governance().modelLimits()).isEmpty();
        assertThat(c.governance().endUserLimits()).isEqualTo(Limits.NONE);
        assertThat(c.state()).isNull();
    }

    @Test
    void everyKeyIsRead() {
        GatewayConfig c = parse("""
                governance:
                  data_dir: var/tollgate
                  durability: power_loss
                  time_zone: Europe/Berlin
                  allow_unpriced: true
                  reservation_lease: 2m
                  default_output_tokens: 512
                  refresh_interval: 5s
                  end_user_limits: {rpm: 20, budget: {usd: "1.50", period: daily}}
                  model_limits:
                    gpt-4o: {rpm: 500, tpm: 200000, max_parallel: 50, budget: {usd: "100.25", period: daily}}
                    cheap: {rpm: 0}
                state:
                  backend: redis
                  config: {uri: '${env:REDIS}', command_timeout: 100ms}
                """);

        GovernanceSettings g = c.governance();
        assertThat(g.dataDir()).isEqualTo(home.resolve("var/tollgate"));
        assertThat(g.powerLossSafe()).isTrue();
        assertThat(g.timeZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(g.allowUnpriced()).isTrue();
        assertThat(g.reservationLease()).isEqualTo(Duration.ofMinutes(2));
        assertThat(g.defaultOutputTokens()).isEqualTo(512);
        assertThat(g.refreshInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(g.endUserLimits()).isEqualTo(Limits.builder().rpm(20L).budget(new Budget(1_500_000L, Period.DAILY)).build());
        assertThat(g.modelLimits()).containsExactly(
                Map.entry("gpt-4o", Limits.builder().rpm(500L).tpm(200_000L).maxParallel(50)
                        .budget(new Budget(100_250_000L, Period.DAILY)).build()),
                Map.entry("cheap", Limits.builder().rpm(0L).build()));
        assertThat(c.state().name()).isEqualTo("redis");
        assertThat(c.state().configPath()).isEqualTo("state.config");
        assertThat(c.state().config()).containsEntry("command_timeout", "100ms");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> parse("governance: {time_zone: Mars/Olympus}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("governance.time_zone");
        assertThatThrownBy(() -> parse("governance: {durability: maybe}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("governance.durability");
        assertThatThrownBy(() -> parse("governance: {reservation_lease: 1s}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("governance.reservation_lease");
        assertThatThrownBy(() -> parse("governance: {model_limits: {m: {rpm: -1}}}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("governance.model_limits.m.rpm");
        assertThatThrownBy(() -> parse("governance: {model_limits: {m: {budget: {usd: \"1.0000001\", period: daily}}}}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("governance.model_limits.m.budget.usd");
        assertThatThrownBy(() -> parse("governance: {model_limits: {m: {budget: {usd: \"1\", period: hourly}}}}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("budget.period");
        assertThatThrownBy(() -> parse("governance: {model_limits: {m: {rph: 1}}}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rph");
        assertThatThrownBy(() -> parse("governance: {colour: blue}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("colour");
        assertThatThrownBy(() -> parse("state: {config: {}}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("backend");
    }
}
