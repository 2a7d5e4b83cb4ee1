import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Which addresses a webhook may reach (contract §8.3): not loopback, private, link-local, shared (CGNAT), reserved,
 * multicast or cloud-metadata ranges, including IPv4 addresses written inside IPv6 ones (mapped, NAT64, 6to4).
 * The host name is resolved and every address checked; the sender then connects to a checked address, so a name that
 * resolves differently a moment later (DNS rebinding) cannot steer the request elsewhere.
 */

const refusedV4 = new BlockList();
for (const [network, prefix] of [
	["0.0.0.0", 8],
	["10.0.0.0", 8],
	["100.64.0.0", 10], // shared address space; holds 100.100.100.200, a metadata address
	["127.0.0.0", 8],
	["169.254.0.0", 16], // link-local; holds 169.254.169.254, the usual metadata address
	["172.16.0.0", 12],
	["192.0.0.0", 24],
	["192.0.2.0", 24],
	["192.88.99.0", 24],
	["192.168.0.0", 16],
	["198.18.0.0", 15],
	["198.51.100.0", 24],
	["203.0.113.0", 24],
	["224.0.0.0", 4],
	["240.0.0.0", 4],
] as const) {
	refusedV4.addSubnet(network, prefix, "ipv4");
}

const refusedV6 = new BlockList();
for (const [network, prefix] of [
	["::", 96], // unspecified, loopback and IPv4-compatible
	["100::", 64],
	["2001:db8::", 32],
	["fc00::", 7], // unique local; holds fd00:ec2::254, a metadata address
	["fe80::", 10],
	["fec0::", 10],
	["ff00::", 8],
] as const) {
	refusedV6.addSubnet(network, prefix, "ipv6");
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad allowed), or undefined. */
const ipv6Groups = (address: string): Array<number> | undefined => {
	let text = address.toLowerCase().split("%")[0] ?? "";
	const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
	if (quad?.[1] !== undefined) {
		const bytes = quad[1].split(".").map(Number);
		text = `${text.slice(0, -quad[1].length)}${((bytes[0]! << 8) | bytes[1]!).toString(16)}:${((bytes[2]! << 8) | bytes[3]!).toString(16)}`;
	}
	const [head = "", tail] = text.split("::");
	const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => Number.parseInt(group, 16)));
	const start = parse(head);
	const end = tail === undefined ? [] : parse(tail);
	const groups = tail === undefined ? start : [...start, ...Array(8 - start.length - end.length).fill(0), ...end];
	return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff)
		? groups
		: undefined;
};

const v4Of = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/** True when a webhook may connect to `address` (an IP literal). */
const isPublicAddress = (address: string): boolean => {
	const family = isIP(address);
	if (family === 4) return !refusedV4.check(address, "ipv4");
	if (family !== 6) return false;
	const groups = ipv6Groups(address);
	if (groups === undefined) return false;
	const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
	// ::ffff:a.b.c.d (mapped) and 64:ff9b::a.b.c.d (NAT64) reach the IPv4 address inside them.
	if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return isPublicAddress(v4Of(g6, g7));
	if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0)
		return isPublicAddress(v4Of(g6, g7));
	// 2002:AABB:CCDD::/48 (6to4) carries AA.BB.CC.DD.
	if (g0 === 0x2002) return isPublicAddress(v4Of(g1, g2));
	return !refusedV6.check(address.split("%")[0] ?? "", "ipv6");
};

export class RefusedAddress extends Error {
	override readonly name = "RefusedAddress";
}

/**
 * The addresses to connect to for `hostname` (a name or an IP literal, IPv6 in brackets or not), every one checked
 * unless `allowPrivate`. Throws `RefusedAddress` when the name does not resolve or any address is refused.
 */
export const resolveAllowed = async (
	hostname: string,
	allowPrivate: boolean,
): Promise<ReadonlyArray<{ address: string; family: 4 | 6 }>> => {
	const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
	const literal = isIP(bare);
	let addresses: Array<{ address: string; family: 4 | 6 }>;
	if (literal !== 0) addresses = [{ address: bare, family: literal as 4 | 6 }];
	else {
		try {
			const found = await lookup(bare, { all: true, verbatim: true });
			addresses = found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
		} catch {
			throw new RefusedAddress(`The host ${bare} does not resolve`);
		}
	}
	if (addresses.length === 0) throw new RefusedAddress(`The host ${bare} does not resolve`);
	if (!allowPrivate) {
		const refused = addresses.find((entry) => !isPublicAddress(entry.address));
		if (refused !== undefined) {
			throw new RefusedAddress(
				`The host ${bare} resolves to ${refused.address}, a loopback, private, link-local or reserved address`,
			);
		}
	}
	return addresses;
};
