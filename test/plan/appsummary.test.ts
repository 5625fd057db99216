// What the plan shows each app setting makes (plan/appsummary.ts).
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadStackConfig } from "../../offline/stack-config";
import { appEffects } from "../../plan/appsummary";
import { P, inputs, okRun, one } from "../helpers";

describe("plan: what the app's settings make", () => {
    it("shows what each app setting makes: the environment, secrets by name, every egress rule, the role's policies, TLS", async () => {
        const arn = "arn:aws:acm:us-west-2:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f";
        const run = await okRun("dev", {
            overrides: {
                [`${P}:appEnv`]: '{"GREETING":"hi"}',
                [`${P}:appEgress`]: '["10.20.0.0/16:5432/tcp"]',
                [`${P}:appPolicyArns`]: '["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]',
                [`${P}:tlsCertificateArn`]: arn,
            },
        });
        const vpc = inputs(one(run, "aws:ec2/vpc:Vpc")).cidrBlock;
        assert.deepEqual(Object.fromEntries(appEffects(run)), {
            appModule: `APP_MODULE=${loadStackConfig("dev").values[`${P}:appModule`]}`,
            appEnv: "GREETING=hi",
            appSecrets: "none",
            appEgress: `cluster DNS (kube-dns) on 53/UDP, 53/TCP; 10.20.0.0/16 on 5432/TCP; 0.0.0.0/0 except ${vpc} on 443/TCP`,
            appPolicyArns: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            tlsCertificateArn: `TLS on 443 (${arn})`,
        });
        const local = Object.fromEntries(appEffects(await okRun("local")));
        assert.equal(local.appPolicyArns, undefined, "no AWS role on the local target");
        assert.equal(local.tlsCertificateArn, "HTTP on 80");
    });
});
