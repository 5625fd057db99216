// The TLS policy of every listener the stack's load balancers serve HTTPS on. A leaf: imports nothing.

/**
 * TLS 1.3 and 1.2 only, with forward-secret ciphers: the ELB policy AWS recommends for new listeners,
 * on an NLB's and on the shared ALB's alike.
 */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
