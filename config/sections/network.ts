import { cidrProblem } from "../../domain/cidr";
import { ExistingVpc, NAT_GATEWAYS, NetworkSettings } from "../../components/platform/network";
import { Reader, complete } from "../reader";

// The network section: the VPC the stack creates, or the one it adopts with its subnets.

export function network(r: Reader): NetworkSettings | undefined {
    const vpcCidr = r.check("vpcCidr", r.string("vpcCidr"), (v) => cidrProblem(v, 16, 22));
    const azCount = r.integer("azCount", 2, 6);
    let natGateways = r.oneOf("natGateways", NAT_GATEWAYS);
    const existing = existingVpc(r);
    if (natGateways === "none" && existing === null) {
        // Nodes in the new VPC's private subnets then reach neither ECR, EKS nor STS, and never join.
        r.problem(
            "natGateways",
            natGateways,
            `single or perAz for a VPC the stack creates; none only with vpcId (docs/configuration.md, "NAT gateways")`,
        );
        natGateways = undefined;
    }
    return complete({ vpcCidr, azCount, natGateways, existing });
}

/** The adopted VPC: null when none is set, undefined when what is set is invalid. */
function existingVpc(r: Reader): ExistingVpc | null | undefined {
    const vpcId = r.emptyOr("vpcId", /^vpc-[0-9a-f]{8,17}$/, "a VPC id such as vpc-0123456789abcdef0");
    const subnetPattern = /^subnet-[0-9a-f]{8,17}$/;
    const subnetWant = "subnet ids such as subnet-0123456789abcdef0";
    const publicSubnetIds = r.list("publicSubnetIds", subnetPattern, subnetWant);
    const privateSubnetIds = r.list("privateSubnetIds", subnetPattern, subnetWant);
    if (vpcId === undefined || publicSubnetIds === undefined || privateSubnetIds === undefined)
        return undefined;
    if (vpcId === null) {
        if (publicSubnetIds.length || privateSubnetIds.length) {
            r.problems.push(
                `${r.name("vpcId")}: got "", expected a VPC id because publicSubnetIds/privateSubnetIds are set (subnets only make sense with the VPC they belong to)`,
            );
            return undefined;
        }
        return null;
    }
    let valid = true;
    for (const [key, ids] of [
        ["privateSubnetIds", privateSubnetIds],
        ["publicSubnetIds", publicSubnetIds],
    ] as const) {
        if (ids.length < 2) {
            r.problems.push(
                `${r.name(key)}: got ${JSON.stringify(ids)}, expected at least 2 subnets in different AZs when vpcId is set`,
            );
            valid = false;
        }
    }
    return valid ? { vpcId, publicSubnetIds, privateSubnetIds } : undefined;
}
