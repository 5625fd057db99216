// The labels of an app's namespace and of its pods, and the names a tenant's shared entry goes by. A
// leaf: imports nothing.

/** The namespace label that has the controller's webhook give new pods a readiness gate per target group. */
export const READINESS_GATE_LABEL = { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" };

/**
 * The labels of an app's namespace: it admits only pods that meet the restricted Pod Security
 * Standard, and behind an NLB its new pods get a readiness gate (ready once the NLB finds them healthy).
 */
export function namespaceLabels(behindNlb: boolean): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
        ...(behindNlb && READINESS_GATE_LABEL),
    };
}

/**
 * The labels of the app's pods, which the Service, the PDB, the HPA and the policies select by: named
 * after the namespace (flask-app in the one-stack shape, the app's name in its tenant namespace).
 * A Deployment's selector cannot change, so neither may these for a running app.
 */
export function appLabels(namespace: string): Record<string, string> {
    return { "app.kubernetes.io/name": namespace, "app.kubernetes.io/component": "web" };
}

/** The tenant namespace's label saying how clients reach its app (own or shared), set by the platform. */
export const ENTRY_LABEL = "flask-eks/entry";
/** The tenant namespace's annotation naming the one host its Ingresses may serve on the shared ALB. */
export const HOST_ANNOTATION = "flask-eks/host";
/** The IngressClass (and the ALB's IngressGroup) of a platform's shared entry. */
export const SHARED_CLASS = "shared";

/** An app's host on its platform's shared ALB. */
export function sharedHost(app: string, domain: string): string {
    return `${app}.${domain}`;
}
