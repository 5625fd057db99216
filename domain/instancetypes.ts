// What the program knows of an EC2 instance type: vCPUs, memory, CPU architecture and the VPC CNI's pod
// limit, for every type EC2 lists (Mac types aside). The figures are generated into
// data/instance-types.json by scripts/instance-types.py, which names its sources and their dates; an
// unknown type is refused by the config rather than guessed. A leaf: reads only that table.
import * as fs from "fs";
import * as path from "path";

export type Architecture = "amd64" | "arm64";

export interface InstanceType {
    vcpus: number;
    memoryMiB: number;
    architecture: Architecture;
    /** Pods a node takes under the VPC CNI without prefix delegation. */
    maxPods: number;
}

const TYPES: Record<string, [number, number, Architecture, number]> = JSON.parse(
    // Stryker disable next-line StringLiteral: without an encoding the file comes as a Buffer, which JSON.parse reads as UTF-8 text all the same
    fs.readFileSync(path.join(__dirname, "data", "instance-types.json"), "utf8"),
).types;

/** Every instance type the table holds. */
export const INSTANCE_TYPE_NAMES: readonly string[] = Object.keys(TYPES);

/** The table's row for an instance type, or undefined for a type it does not hold. */
export function instanceType(name: string): InstanceType | undefined {
    const row = Object.hasOwn(TYPES, name) ? TYPES[name] : undefined;
    return row && { vcpus: row[0], memoryMiB: row[1], architecture: row[2], maxPods: row[3] };
}

/** CPU architecture of a type the table holds: it picks the nodes' AMI and the image's platform. */
export function architectureOf(name: string): Architecture {
    const type = instanceType(name);
    if (!type) throw new Error(`unknown instance type ${name}: the config refuses it before this is asked`);
    return type.architecture;
}
