// The shapes of a stack's own DNS name and its zone: the stack checks its config with them, and the
// bootstrap the same values in the stack's file, before it grants the name.

/**
 * A DNS name: labels of letters, digits and inner dashes, lower case, at most 64 characters (ACM
 * puts the first name of a certificate in its subject's common name, which allows 64).
 */
export const DNS_NAME = /^(?=.{1,64}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
export const DNS_NAME_EXPECTED = "a DNS name in lower case, at most 64 characters, such as shop.example.com";

/** A Route 53 hosted zone id. */
export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
export const HOSTED_ZONE_ID_EXPECTED = "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ";

/** Names reserved for documentation (RFC 2606): no one can hold them, so ACM validates none. */
export const DOCUMENTATION_NAME = /(^|\.)example\.(com|net|org)$/;
