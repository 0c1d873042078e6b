/**
 * Fakes and fixtures for unit-testing Tollgate plugins without a gateway: a scripted upstream
 * ({@link dev.tollgate.spi.testkit.ScriptedUpstreamHttp}), a provider call that runs every callback
 * on one thread like the kernel does ({@link dev.tollgate.spi.testkit.FakeProviderCall}), a sink that
 * records a stream ({@link dev.tollgate.spi.testkit.RecordingChunkSink}), a plugin context
 * ({@link dev.tollgate.spi.testkit.FakePluginContext}) whose metrics tests can read, SSE fixtures
 * ({@link dev.tollgate.spi.testkit.SseFixtures}), and time that moves only when a test advances it
 * ({@link dev.tollgate.spi.testkit.ManualTime}); and contract tests a plugin's implementation extends
 * ({@link dev.tollgate.spi.testkit.GovernanceStoreContract},
 * {@link dev.tollgate.spi.testkit.StateBackendContract}).
 */
package dev.tollgate.spi.testkit;
