package dev.weft.balance;

import dev.weft.client.Endpoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.zip.CRC32;

/**
 * The strategies' choices over one tier of peers (primaries or backups). Not thread-safe: every
 * method runs under the group's lock, which guards the round robin's weights, the random source
 * and every change of the peers' in-flight counts.
 */
final class Picker {

    /** Rehashes after the first hash, for {@code ip_hash} and {@code hash}, before round robin decides (nginx's 20). */
    static final int REHASHES = 20;

    private Picker() {
    }

    /** The peers of {@code tier} that may take the request, in the tier's order. */
    static List<Peer> eligible(List<Peer> tier, long now, Set<Endpoint> tried) {
        List<Peer> candidates = new ArrayList<>(tier.size());
        for (Peer peer : tier) {
            if (peer.eligible(now, tried)) {
                candidates.add(peer);
            }
        }
        return candidates;
    }

    /** nginx's smooth weighted round robin; null if there are no candidates. */
    static Peer roundRobin(List<Peer> candidates) {
        Peer best = null;
        int total = 0;
        for (Peer peer : candidates) {
            peer.currentWeight += peer.weight;
            total += peer.weight;
            if (best == null || peer.currentWeight > best.currentWeight) {
                best = peer;
            }
        }
        if (best != null) {
            best.currentWeight -= total;
        }
        return best;
    }

    /** The candidates with the fewest requests in flight per unit of weight (all of them, if tied). */
    static List<Peer> leastLoaded(List<Peer> candidates) {
        List<Peer> least = new ArrayList<>(candidates.size());
        Peer best = null;
        for (Peer peer : candidates) {
            int cmp = best == null ? -1 : compareLoad(peer, best);
            if (cmp < 0) {
                least.clear();
                best = peer;
            }
            if (cmp <= 0) {
                least.add(peer);
            }
        }
        return least;
    }

    /** Negative if {@code a} has fewer requests in flight per unit of weight than {@code b}. */
    private static int compareLoad(Peer a, Peer b) {
        return Long.compare((long) a.active.get() * b.weight, (long) b.active.get() * a.weight);
    }

    /**
     * nginx's {@code ip_hash}: the first three octets of an IPv4 address (all of an IPv6 one), a
     * weighted slot from the hash, rehashed while that server may not take the request; null after
     * {@value #REHASHES} tries.
     */
    static Peer ipHash(List<Peer> tier, byte[] address, long now, Set<Endpoint> tried) {
        int length = address.length == 4 ? 3 : address.length;
        int hash = 89;
        for (int tries = 0; tries < REHASHES; tries++) {
            for (int i = 0; i < length; i++) {
                hash = (hash * 113 + (address[i] & 0xff)) % 6271;
            }
            Peer peer = slot(tier, hash);
            if (peer.eligible(now, tried)) {
                return peer;
            }
        }
        return null;
    }

    /**
     * nginx's {@code hash KEY}: {@code (crc32(key) >> 16) & 0x7fff} added up over the tries, the
     * n-th retry hashing the decimal n in front of the key, each sum a slot of the total weight
     * (down and unavailable servers keep theirs); null if neither the first hash nor any of the
     * {@value #REHASHES} rehashes lands on a server that may take the request.
     */
    static Peer hash(List<Peer> tier, String key, long now, Set<Endpoint> tried) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        long sum = 0;
        for (int rehash = 0; rehash <= REHASHES; rehash++) {
            crc.reset();
            if (rehash > 0) {
                crc.update(Integer.toString(rehash).getBytes(StandardCharsets.US_ASCII));
            }
            crc.update(bytes);
            sum += (crc.getValue() >>> 16) & 0x7fff;
            Peer peer = slot(tier, sum);
            if (peer.eligible(now, tried)) {
                return peer;
            }
        }
        return null;
    }

    /** The peer whose share of the total weight holds {@code hash % total}. */
    private static Peer slot(List<Peer> tier, long hash) {
        int total = 0;
        for (Peer peer : tier) {
            total += peer.weight;
        }
        long w = hash % total;
        int index = 0;
        while (w >= tier.get(index).weight) {
            w -= tier.get(index).weight;
            index++;
        }
        return tier.get(index);
    }

    /**
     * nginx's {@code hash KEY consistent}: the server of the first point at or after the key's
     * CRC32, or of the next point along the ring while that server may not take the request;
     * null once every server of the ring was looked at.
     */
    static Peer consistentHash(List<Peer> tier, HashRing ring, String key, long now, Set<Endpoint> tried) {
        int start = ring.first(HashRing.keyHash(key));
        boolean[] seen = new boolean[tier.size()];
        int unseen = tier.size();
        for (int i = 0; i < ring.size() && unseen > 0; i++) {
            int owner = ring.owner(start + i);
            if (seen[owner]) {
                continue;
            }
            Peer peer = tier.get(owner);
            if (peer.eligible(now, tried)) {
                return peer;
            }
            seen[owner] = true;
            unseen--;
        }
        return null;
    }

    /** nginx's {@code random}: a candidate drawn in proportion to its weight; null if there are none. */
    static Peer random(List<Peer> candidates, RandomGenerator random) {
        return draw(candidates, null, random);
    }

    /**
     * nginx's {@code random two least_conn}: two different candidates drawn by weight, and the one
     * with fewer requests in flight per unit of weight; the first drawn if they are even.
     */
    static Peer randomTwo(List<Peer> candidates, RandomGenerator random) {
        Peer first = draw(candidates, null, random);
        if (candidates.size() < 2) {
            return first;
        }
        Peer second = draw(candidates, first, random);
        return compareLoad(second, first) < 0 ? second : first;
    }

    /** A candidate other than {@code except} drawn by weight; null if there is none. */
    private static Peer draw(List<Peer> candidates, Peer except, RandomGenerator random) {
        int total = 0;
        for (Peer peer : candidates) {
            if (peer != except) {
                total += peer.weight;
            }
        }
        if (total == 0) {
            return null;
        }
        int w = random.nextInt(total);
        for (Peer peer : candidates) {
            if (peer == except) {
                continue;
            }
            if (w < peer.weight) {
                return peer;
            }
            w -= peer.weight;
        }
        throw new AssertionError("a weight of " + total + " covers every draw");
    }
}
