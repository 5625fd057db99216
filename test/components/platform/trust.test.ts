import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import {
    irsaTrustPolicy,
    podIdentityTrustPolicy,
    servicePrincipalTrust,
} from "../../../components/platform/trust";

/** The value of an Output built from plain inputs. */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}

describe("trust policies", () => {
    it("lets exactly one AWS service assume a role, with nothing else", () => {
        assert.deepEqual(JSON.parse(servicePrincipalTrust("eks.amazonaws.com")), {
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" },
            ],
        });
    });

    it("lets exactly one service account assume an IRSA role, for STS only", async () => {
        const policy = JSON.parse(
            await valueOf(
                irsaTrustPolicy(
                    { arn: "arn:aws:iam::1:oidc-provider/oidc.eks/id/X", url: "https://oidc.eks/id/X" },
                    "flask-app",
                    "web",
                ),
            ),
        );
        // IAM reads a policy without this Version by the 2008 grammar, which has no policy variables.
        assert.equal(policy.Version, "2012-10-17");
        assert.deepEqual(policy.Statement, [
            {
                Effect: "Allow",
                Principal: { Federated: "arn:aws:iam::1:oidc-provider/oidc.eks/id/X" },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        "oidc.eks/id/X:aud": "sts.amazonaws.com",
                        "oidc.eks/id/X:sub": "system:serviceaccount:flask-app:web",
                    },
                },
            },
        ]);
    });

    it("takes the issuer with or without its scheme, as IAM and EKS report it", async () => {
        const oidc = (url: string) => ({ arn: "arn:aws:iam::1:oidc-provider/x", url });
        const [withScheme, without] = await Promise.all(
            ["https://oidc.eks/id/X", "oidc.eks/id/X"].map((url) =>
                valueOf(irsaTrustPolicy(oidc(url), "n", "s")),
            ),
        );
        assert.equal(withScheme, without);
    });

    it("lets a Pod Identity role be assumed by EKS's pods service for one cluster, namespace and service account", async () => {
        const arn = "arn:aws:eks:us-west-2:1:cluster/flask-eks-dev-platform";
        const policy = JSON.parse(
            await valueOf(podIdentityTrustPolicy({ clusterName: "c", clusterArn: arn }, "api", "api")),
        );
        assert.deepEqual(policy, {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "pods.eks.amazonaws.com" },
                    Action: ["sts:AssumeRole", "sts:TagSession"],
                    Condition: {
                        StringEquals: {
                            "aws:RequestTag/eks-cluster-arn": arn,
                            "aws:RequestTag/kubernetes-namespace": "api",
                            "aws:RequestTag/kubernetes-service-account": "api",
                        },
                    },
                },
            ],
        });
    });
});
