// Run in place (the end-to-end test passes --cwd). FLASK_EKS_SHAPE=before: the Workload's secret
// readers as d323ee9 made them, its own children, and a ConfigMap beside them; after: the readers in
// the SecretReaders component as the Workload makes it now, and the ConfigMap two components further
// down with migrations' formerParent, as a ServiceAccountRole in the managed add-ons has its role.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SecretReaders } from "../../components/app/secretreaders";
import { movedUnderComponent } from "../../migrations";
import { secretReaders } from "./secretreaders-before";

const namespace = "default";
const provider = new k8s.Provider("k8s", {});
const workload = new pulumi.ComponentResource(
    "flask-eks:index:Workload",
    "app",
    {},
    { providers: [provider] },
);
const secret = new k8s.core.v1.Secret(
    "web-env",
    { metadata: { namespace }, stringData: { GREETING: "hello" } },
    { parent: workload },
);
const nested = { metadata: { name: "nested", namespace }, data: { moved: "twice" } };

if (process.env.FLASK_EKS_SHAPE === "before") {
    secretReaders(secret, "refreshers", namespace, workload);
    new k8s.core.v1.ConfigMap("nested", nested, { parent: workload });
} else {
    new SecretReaders("secret-readers", { secret, group: "refreshers", namespace }, { parent: workload });
    const outer = new pulumi.ComponentResource("flask-eks:index:Outer", "outer", {}, { parent: workload });
    const inner = new pulumi.ComponentResource("flask-eks:index:Inner", "inner", {}, { parent: outer });
    new k8s.core.v1.ConfigMap("nested", nested, { parent: inner, ...movedUnderComponent(workload) });
}
