// Sorting a role's actions into Allow statements, each scoped as narrowly as its service allows (the
// allow-*.ts files, in the order permissions.ts runs them), so that no action goes unscoped.
import type { Statement } from "./scope";

export const uniq = (actions: string[]) => [...new Set(actions)].sort();

/** Picks the actions named. */
export const is =
    (...names: string[]) =>
    (a: string) =>
        names.includes(a);

/** Picks a service's actions, by prefix (`ec2`). */
export const service = (prefix: string) => (a: string) => a.startsWith(`${prefix}:`);

/**
 * The actions left to place, and the statements made so far. Each statement takes the actions left
 * that it matches; `done` throws when an action fits no statement, so a new entry in the table
 * cannot go unscoped.
 */
export class Sorter {
    private readonly statements: Statement[] = [];
    private left: string[];

    constructor(actions: string[]) {
        this.left = uniq(actions);
    }

    /** Adds a statement of the actions left that `match` picks; they stay left for later statements if `keep`. */
    add(
        Sid: string,
        match: (a: string) => boolean,
        Resource: string | string[],
        Condition?: Statement["Condition"],
        keep = false,
    ): void {
        const picked = this.left.filter(match);
        if (picked.length)
            this.statements.push({
                Sid,
                Effect: "Allow",
                Action: picked,
                Resource,
                ...(Condition && { Condition }),
            });
        if (!keep) this.drop(match);
    }

    /** Leaves out, with no statement, the actions left that `match` picks: what the scope is not given. */
    drop(match: (a: string) => boolean): void {
        this.left = this.left.filter((a) => !match(a));
    }

    /** The statements; throws when an action is left that no statement took. */
    done(): Statement[] {
        if (this.left.length) throw new Error(`no statement takes ${this.left.join(", ")}`);
        return this.statements;
    }
}
