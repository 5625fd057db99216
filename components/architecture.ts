// CPU architecture from an EC2 instance type: it picks the nodes' AMI and the image's platform.
// A leaf: imports nothing.

export type Architecture = "amd64" | "arm64";

/**
 * CPU architecture of an EC2 instance type. Graviton families carry a "g" among the attribute letters
 * after the generation digit (t4g, m7g, c7gn, r8gd), plus the first one, a1; the rest are x86-64.
 */
export function architectureOf(instanceType: string): Architecture {
    const family = instanceType.split(".")[0];
    return family === "a1" || /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) ? "arm64" : "amd64";
}
