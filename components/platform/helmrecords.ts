/**
 * Where the cluster's Kubernetes provider has Helm keep its release records: ConfigMaps, not Secrets.
 * A refresh of a Helm release reads its records, and RBAC cannot narrow a list of Secrets to Helm's by
 * label: with Secrets, whoever refreshes (the drift check) would read every Secret of kube-system, the
 * controllers' keys among them. EKS's view policy reads ConfigMaps, and no chart the stack installs
 * renders key material (the Load Balancer Controller's webhook certificate comes from cert-manager),
 * so a record holds nothing a viewer may not see.
 */
export const HELM_RELEASE_SETTINGS = { driver: "configmap" };
