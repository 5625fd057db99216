// What the app's settings (appModule, appEnv, appSecrets, appEgress, appPolicyArns, TLS) make of the
// stack, read from what it registers: the container's APP_MODULE and environment, the app's
// NetworkPolicy, the load balancer's ports and the app role's policies. The plan shows it so a
// reviewer sees their effect without reading manifests.yaml.
import { Registration, RunResult, unwrapSecrets } from "../offline";

// Registrations' inputs are free-form JSON; this reads the few fields it shows.
type Json = any;

const inputsOf = (r: Registration): Json => unwrapSecrets(r.inputs, "[secret]");

/** One egress rule of a NetworkPolicy, in words. */
function egressRule(rule: Json): string {
    const ports = rule.ports.map((p: Json) => `${p.port}/${p.protocol}`).join(", ");
    const to = rule.to.map((peer: Json) =>
        peer.ipBlock
            ? `${peer.ipBlock.cidr}${peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(", ")}` : ""}`
            : "cluster DNS (kube-dns)",
    );
    return `${to.join(", ")} on ${ports}`;
}

/** [setting, what it makes] rows; none for a program that serves no app (the bootstrap's). */
export function appEffects(run: RunResult): [string, string][] {
    const deployment = run.registrations.find((r) => r.type === "kubernetes:apps/v1:Deployment");
    if (!deployment) return [];
    const container = inputsOf(deployment).spec.template.spec.containers[0];
    const key = (name: string) => run.config[`${run.project}:${name}`];
    const names = (name: string) => Object.keys(JSON.parse(key(name) ?? "{}")).sort();
    const env = new Map<string, Json>(container.env.map((e: Json) => [e.name, e]));
    const policy = run.registrations.find(
        (r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && r.name === "web",
    );
    const service = run.registrations.find((r) => r.type === "kubernetes:core/v1:Service");
    const role = run.registrations.find((r) => r.type === "aws:iam/role:Role" && r.name === "web-role");
    const policies = run.registrations
        .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => role && a.propertyDependencies.role?.includes(role.urn))
        .map((a) => String(inputsOf(a).policyArn));
    const appEnv = names("appEnv").map((n) => `${n}=${env.get(n)?.value}`);
    const secrets = names("appSecrets");
    const ports = service ? inputsOf(service).spec.ports : [];
    const annotations = service ? (inputsOf(service).metadata.annotations ?? {}) : {};
    const certificate = annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"];
    return [
        ["appModule", `APP_MODULE=${env.get("APP_MODULE")?.value}`],
        ["appEnv", appEnv.length ? appEnv.join(", ") : "none"],
        [
            "appSecrets",
            secrets.length
                ? `${secrets.join(", ")} from the Secret ${env.get(secrets[0])?.valueFrom?.secretKeyRef?.name}`
                : "none",
        ],
        [
            "appEgress",
            policy ? inputsOf(policy).spec.egress.map(egressRule).join("; ") : "no NetworkPolicy: anywhere",
        ],
        ...(role
            ? [
                  [
                      "appPolicyArns",
                      policies.length ? policies.join(", ") : "none: the app's role may do nothing",
                  ] as [string, string],
              ]
            : []),
        [
            "tlsCertificateArn",
            ports
                .map((p: Json) =>
                    certificate && p.name === "https"
                        ? `TLS on ${p.port} (${certificate})`
                        : `HTTP on ${p.port}`,
                )
                .join(", "),
        ],
    ];
}
