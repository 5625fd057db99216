// The policy pack: `pulumi preview --policy-pack policy`. The rules live in their own modules so the
// tests can run them against every stack's recorded resource graph.
import { PolicyPack } from "@pulumi/policy";
import { advisoryPolicies } from "./advisory";
import { awsPolicies } from "./aws";
import { kubernetesPolicies } from "./kubernetes";
import { rolloutPolicies } from "./rollouts";

new PolicyPack("flask-eks", {
    policies: [...awsPolicies, ...kubernetesPolicies, ...rolloutPolicies, ...advisoryPolicies],
});
