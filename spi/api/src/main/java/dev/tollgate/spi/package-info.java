/**
 * The Tollgate plugin contract.
 *
 * <p>A plugin is a PF4J plugin whose jars contain one or more implementations of
 * {@link dev.tollgate.spi.TollgatePlugin}, listed in {@code META-INF/services/dev.tollgate.spi.TollgatePlugin}.
 * Each returns named factories per kind: provider adapters, routing strategies, cache backends,
 * log sinks, request policies, shared-state backends and governance stores. The kernel keeps one registry per kind
 * and refuses duplicate names at start.
 *
 * <h2>Class loading</h2>
 * Every plugin gets its own class loader. Only {@code dev.tollgate.spi.*}, the JDK and
 * {@code org.slf4j.*} come from the kernel; everything else comes from the plugin's own jars, so a
 * plugin may bundle any version of Jackson or of an HTTP client. Every call the kernel makes into
 * a plugin runs with the thread context class loader set to the plugin's loader.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>Provider adapters ({@link dev.tollgate.spi.provider.ProviderAdapter}) are non-blocking:
 *       the kernel calls them on the I/O thread that owns the request, and every callback for one
 *       call (HTTP responses, scheduled tasks) arrives on that same thread, one at a time. They
 *       must never block; all I/O goes through {@link dev.tollgate.spi.provider.ProviderCall#http()}.</li>
 *   <li>Every other kind (policies, log sinks, cache and state backends, governance stores) may block: the kernel
 *       never calls them on an I/O thread.</li>
 * </ul>
 *
 * <h2>Request lifecycle</h2>
 * authenticate &rarr; govern &rarr; cache &rarr; route &rarr; call &rarr; respond &rarr; account &rarr; log.
 * See {@link dev.tollgate.spi.policy.RequestPolicy} for what runs once per request and what
 * runs once per attempt, and what happens when a plugin throws.
 */
package dev.tollgate.spi;
