// Kubernetes resource quantities, as the config and the workload use them. A leaf: imports nothing.

/** CPUs in a Kubernetes CPU quantity (250m, 1, 1.5). */
export function cpusOf(quantity: string): number {
    return quantity.endsWith("m") ? parseInt(quantity, 10) / 1000 : Number(quantity);
}

/** Bytes in a Kubernetes memory quantity with a binary suffix (Ki, Mi, Gi). */
export function bytesOf(quantity: string): number {
    const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
    return parseInt(quantity, 10) * units[quantity.slice(-2)];
}
