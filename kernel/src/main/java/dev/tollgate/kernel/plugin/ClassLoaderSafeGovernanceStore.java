package dev.tollgate.kernel.plugin;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.store.SpendEntry;
import dev.tollgate.spi.store.SpendQuery;
import dev.tollgate.spi.store.Team;
import dev.tollgate.spi.store.VirtualKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Calls a plugin's {@link GovernanceStore} with the plugin's loader as context class loader (JDBC drivers look there). */
public final class ClassLoaderSafeGovernanceStore implements GovernanceStore {

    private final GovernanceStore delegate;
    private final ClassLoader loader;

    public ClassLoaderSafeGovernanceStore(GovernanceStore delegate, ClassLoader loader) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.loader = requireNonNull(loader, "loader is null");
    }

    @Override
    public void createTeam(Team team) {
        ContextClassLoader.run(loader, () -> delegate.createTeam(team));
    }

    @Override
    public Optional<Team> team(String id) {
        return ContextClassLoader.call(loader, () -> delegate.team(id));
    }

    @Override
    public List<Team> teams() {
        return ContextClassLoader.call(loader, delegate::teams);
    }

    @Override
    public boolean updateTeam(Team team) {
        return ContextClassLoader.call(loader, () -> delegate.updateTeam(team));
    }

    @Override
    public boolean deleteTeam(String id) {
        return ContextClassLoader.call(loader, () -> delegate.deleteTeam(id));
    }

    @Override
    public void createKey(VirtualKey key) {
        ContextClassLoader.run(loader, () -> delegate.createKey(key));
    }

    @Override
    public Optional<VirtualKey> key(String id) {
        return ContextClassLoader.call(loader, () -> delegate.key(id));
    }

    @Override
    public Optional<VirtualKey> keyByHash(String hash) {
        return ContextClassLoader.call(loader, () -> delegate.keyByHash(hash));
    }

    @Override
    public List<VirtualKey> keys() {
        return ContextClassLoader.call(loader, delegate::keys);
    }

    @Override
    public boolean updateKey(VirtualKey key) {
        return ContextClassLoader.call(loader, () -> delegate.updateKey(key));
    }

    @Override
    public void recordSpend(List<SpendEntry> entries) {
        ContextClassLoader.run(loader, () -> delegate.recordSpend(entries));
    }

    @Override
    public List<SpendQuery.Row> spend(SpendQuery query) {
        return ContextClassLoader.call(loader, () -> delegate.spend(query));
    }

    @Override
    public long keySpentMicros(String keyId, Instant from) {
        return ContextClassLoader.call(loader, () -> delegate.keySpentMicros(keyId, from));
    }

    @Override
    public long teamSpentMicros(String teamId, Instant from) {
        return ContextClassLoader.call(loader, () -> delegate.teamSpentMicros(teamId, from));
    }

    @Override
    public Optional<dev.tollgate.spi.store.ResponseStore> responses() {
        return ContextClassLoader.call(loader, delegate::responses).map(r -> new ClassLoaderSafeResponseStore(r, loader));
    }

    @Override
    public void close() {
        ContextClassLoader.run(loader, delegate::close);
    }

    @Override
    public String toString() {
        return "governance store " + delegate;
    }
}
