import { CAPACITY_TYPES, NodeGroupSettings } from "../../components/platform/nodegroup";
import { INSTANCE_TYPE_NAMES, architectureOf, instanceType } from "../../domain/instancetypes";
import { didYouMean } from "../nearest";
import { Reader, complete } from "../reader";

// The nodes section: the managed node group's instance types (one CPU architecture) and its sizes.

export function nodes(r: Reader): NodeGroupSettings | undefined {
    let instanceTypes = r.list(
        "instanceTypes",
        /^[a-z][a-z0-9-]*\.[a-z0-9]+$/,
        "EC2 instance types such as t3.medium",
    );
    if (instanceTypes?.length === 0) {
        r.problems.push(`${r.name("instanceTypes")}: got [], expected at least one instance type`);
        instanceTypes = undefined;
    }
    const unknown = instanceTypes?.filter((t) => !instanceType(t)) ?? [];
    for (const t of unknown)
        r.problem(
            "instanceTypes",
            t,
            `an EC2 instance type (domain/data/instance-types.json lists ${INSTANCE_TYPE_NAMES.length})${didYouMean(t, INSTANCE_TYPE_NAMES)}`,
        );
    if (unknown.length) instanceTypes = undefined;
    if (instanceTypes && new Set(instanceTypes.map(architectureOf)).size > 1) {
        const byArch = instanceTypes.map((t) => `${t}=${architectureOf(t)}`).join(", ");
        r.problems.push(
            `${r.name("instanceTypes")}: got ${byArch}, expected one CPU architecture for all (the AMI and the image are built for one)`,
        );
        instanceTypes = undefined;
    }
    const capacityType = r.oneOf("capacityType", CAPACITY_TYPES);
    // The Cluster Autoscaler scales a managed node group from zero (it reads the group's labels and
    // taints with eks:DescribeNodegroup, which its role has), so the minimum may be 0. The first
    // size may not: the autoscaler itself runs on these nodes, and could not add the first one.
    let minSize = r.integer("nodeMinSize", 0);
    let desiredSize = r.integer("nodeDesiredSize", 1);
    const maxSize = r.integer("nodeMaxSize", 1);
    // An unread bound (already a problem) compares as no bound.
    if ((minSize ?? -Infinity) > (maxSize ?? Infinity)) {
        r.problems.push(
            `${r.name("nodeMinSize")}: got ${minSize}, expected at most nodeMaxSize (${maxSize})`,
        );
        minSize = undefined;
    }
    if (minSize !== undefined && desiredSize !== undefined && maxSize !== undefined) {
        if (!(minSize <= desiredSize && desiredSize <= maxSize)) {
            r.problems.push(
                `${r.name("nodeDesiredSize")}: got ${desiredSize}, expected from nodeMinSize to nodeMaxSize (${minSize} to ${maxSize})`,
            );
            desiredSize = undefined;
        }
    }
    const diskSizeGiB = r.integer("nodeDiskSizeGiB", 20, 16384);
    const architecture = instanceTypes && architectureOf(instanceTypes[0]);
    return complete({
        instanceTypes,
        architecture,
        capacityType,
        minSize,
        desiredSize,
        maxSize,
        diskSizeGiB,
    });
}
