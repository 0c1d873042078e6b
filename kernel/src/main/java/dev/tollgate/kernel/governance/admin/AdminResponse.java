package dev.tollgate.kernel.governance.admin;

/** The admin API's answer: a status and a JSON body. */
public record AdminResponse(int status, byte[] body) {}
