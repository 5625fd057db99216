// Run in place (the end-to-end test passes --cwd), so it loads the Workload's own options.
import * as k8s from "@pulumi/kubernetes";
import { LB_TYPE_ANNOTATION } from "../../components/app/nlb";
import { replacedOnControllerChange } from "../../migrations";

const provider = new k8s.Provider("k8s", {});
new k8s.core.v1.Service(
    "web",
    {
        metadata: {
            name: "web",
            namespace: "default",
            annotations: { [LB_TYPE_ANNOTATION]: process.env.FLASK_EKS_LB_TYPE ?? "nlb" },
        },
        spec: { selector: { app: "none" }, ports: [{ port: 80 }] },
    },
    { provider, ...replacedOnControllerChange(LB_TYPE_ANNOTATION) },
);
