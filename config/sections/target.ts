import { Reader } from "../reader";

// The key that picks what the stack deploys, and so which sections matter.

export const TARGETS = ["eks", "local"] as const;
/** Where the stack deploys: EKS (the whole stack), or a Kubernetes cluster the user already has. */
export type Target = (typeof TARGETS)[number];

export function target(r: Reader): Target | undefined {
    return r.oneOf("target", TARGETS);
}
