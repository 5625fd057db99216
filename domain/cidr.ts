// IPv4 CIDR arithmetic, for the config's checks, the network's subnets and the app's NetworkPolicy.
// A leaf: imports nothing.

/** Why `value` is not an IPv4 network address with a prefix in [minPrefix, maxPrefix]; undefined if it is. */
export function cidrProblem(value: string, minPrefix: number, maxPrefix: number): string | undefined {
    const want = `an IPv4 CIDR with a prefix from /${minPrefix} to /${maxPrefix}`;
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    if (!m) return want;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return want;
    if (prefix < minPrefix || prefix > maxPrefix) return want;
    const address = ipv4ToInt(octets);
    const network = prefix === 0 ? 0 : (address & (~0 << (32 - prefix))) >>> 0;
    if (network !== address) {
        return `a network address (host bits zero), such as ${intToIpv4(network)}/${prefix}`;
    }
    return undefined;
}

/** Ranges no request from the internet comes from: documentation (RFC 5737) and private (RFC 1918). */
const RESERVED_RANGES: [string, string][] = [
    ["192.0.2.0/24", "a documentation range"],
    ["198.51.100.0/24", "a documentation range"],
    ["203.0.113.0/24", "a documentation range"],
    ["10.0.0.0/8", "a private range"],
    ["172.16.0.0/12", "a private range"],
    ["192.168.0.0/16", "a private range"],
];

/** What reserved range a valid CIDR lies inside (e.g. "a documentation range, 203.0.113.0/24"), if any. */
export function reservedRangeOf(cidr: string): string | undefined {
    const reserved = RESERVED_RANGES.find(([range]) => contains(range, cidr));
    return reserved && `${reserved[1]}, ${reserved[0]}`;
}

/** Whether every address of the valid CIDR `inner` is in the valid CIDR `outer`. */
export function contains(outer: string, inner: string): boolean {
    const [outerAddress, outerPrefix] = parse(outer);
    const [innerAddress, innerPrefix] = parse(inner);
    const mask = outerPrefix === 0 ? 0 : (~0 << (32 - outerPrefix)) >>> 0;
    return innerPrefix >= outerPrefix && (innerAddress & mask) >>> 0 === outerAddress;
}

function parse(cidr: string): [number, number] {
    const [ip, prefix] = cidr.split("/");
    return [ipv4ToInt(ip.split(".").map(Number)), Number(prefix)];
}

export function ipv4ToInt(octets: number[]): number {
    return (((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0) as number;
}

export function intToIpv4(n: number): string {
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}
