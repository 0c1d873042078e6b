/**
 * Governance stores: where virtual keys, teams and the spend ledger are kept
 * ({@link dev.tollgate.spi.store.GovernanceStore}), and the immutable values they keep. The values
 * with many fields are built with builders, so that fields can be added without breaking plugins.
 */
package dev.tollgate.spi.store;
