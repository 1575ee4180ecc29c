import { createBase58check } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { InvalidAddressError } from './errors.ts';
import { bytesToHex, hexToBytes } from './hex.ts';
import { sha256 } from './sha256.ts';
import { addressToScript, decodeAddress, isValidAddress, scriptToAddress, validateAddress, type Network } from './address.ts';

// BIP350 "valid segwit addresses" (supersedes BIP173's list for v1+): address -> scriptPubKey.
const BIP350_VALID: [string, string, Network][] = [
  ['BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', '0014751e76e8199196d454941c45d1b3a323f1433bd6', 'mainnet'],
  ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7', '00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262', 'testnet'],
  ['bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y', '5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6', 'mainnet'],
  ['BC1SW50QGDZ25J', '6002751e', 'mainnet'],
  ['bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs', '5210751e76e8199196d454941c45d1b3a323', 'mainnet'],
  ['tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy', '0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433', 'testnet'],
  ['tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c', '5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433', 'testnet'],
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0', '512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798', 'mainnet'],
];

// BIP173 and BIP350 invalid segwit addresses, with the reason the BIPs give. BIP173's v1+
// examples use bech32 checksums, which BIP350 made invalid first of all: that is the reason given.
const BIP_INVALID: [string, RegExp][] = [
  ['tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty', /unknown address prefix/],
  ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', /bad checksum/],
  ['BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2', /witness version|checksum/],
  ['bc1rw5uspcuh', /must use bech32m/],
  ['bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90', /must use bech32m/],
  ['BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P', /bad length: a version 0/],
  ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7', /mixes upper and lower case/],
  ['bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du', /must use bech32m/],
  ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv', /padding/],
  ['bc1gmk9yu', /no data/],
  ['tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut', /unknown address prefix/],
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd', /must use bech32m/],
  ['tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf', /must use bech32m/],
  ['BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL', /must use bech32m/],
  ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh', /must use bech32, not bech32m/],
  ['tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47', /must use bech32, not bech32m/],
  ['bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4', /not a bech32 character/],
  ['BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R', /unknown witness version/],
  ['bc1pw5dgrnzv', /bad length: witness program is 1 bytes/],
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav', /bad length: witness program is 41 bytes/],
  ['tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq', /mixes upper and lower case/],
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf', /padding/],
  ['tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j', /padding/],
];

// Bitcoin Core src/test/data/key_io_valid.json: address -> scriptPubKey per chain.
const CORE_KEY_IO: [string, string, Network][] = [
  ['1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo', '76a914a31c06bd463e3923bc1aadbde48b16976c08071788ac', 'mainnet'],
  ['36j4NfKv6Akva9amjWrLG6MuSQym1GuEmm', 'a914373b819a068f32b7a6b38b6b38729647cfde01c287', 'mainnet'],
  ['mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ', '76a914ce28b26c57472737f5c3561a1761185bd8589a4388ac', 'testnet'],
  ['2NC2hEhe28ULKAJkW5MjZ3jtTMJdvXmByvK', 'a914ce0bba75891ff9ec60148d4bd4a09ee2dc5c933187', 'testnet'],
  ['n4fajahJrAuKbN7uNsKjLjQkz9Qn5ewJXQ', '76a914fdeca3b08e38af53d7c4c60e3ad208ce5066441088ac', 'regtest'],
  ['2MxFajLApXpYk4VodBSZSt7rw8y4ryABkfA', 'a91436e9f191e0b75036a77f65e2eaa4752443233fbe87', 'regtest'],
  ['mfhE6jAUwjUDNZhaX1PAsDTKfneQF2Nshc', '76a91401f15a4cc063dae4f4d56b89bfbc8bcc9ae5387c88ac', 'regtest'],
  ['bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv', '00146100fc6343edc8c874496cb2f5bbfec88ea9b77c', 'mainnet'],
  ['bc1p83n3au0rjylefxq2nc2xh2y4jzz4pm6zxj4mw5pagdjjr2a9f36s6jjnnu', '51203c671ef1e3913f94980a9e146ba895908550ef4234abb7503d436521aba54c75', 'mainnet'],
  ['tb1qcrh3yqn4nlleplcez2yndq2ry8h9ncg3qh7n54', '0014c0ef1202759fff90ff19128936814321ee59e111', 'testnet'],
  ['bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9', '00146f58bac9506f9bfb821d62e69330410bb56f0085', 'regtest'],
  ['bcrt1qan8gntac7z7me2ejt4hpru42ad2f759fmy0m3ejvs98656znv7eqga4uhv', '0020ecce89afb8f0bdbcab325d6e11f2aaeb549f50a9d91fb8e64c814faa685367b2', 'regtest'],
  ['bcrt1pfwxjqvtt4tcxrtdluukfmy2dv7xd2qzdfy6kajv5nwn4yam3wxkq3553uh', '51204b8d20316baaf061adbfe72c9d914d678cd5004d49356ec9949ba752777171ac', 'regtest'],
  ['bcrt1sx6p8njlx7h9mc2agz4yg82dzne23050ncq72cneeecez2pst8mahn8xecsf8g6hzx94420', '6028368279cbe6f5cbbc2ba8154883a9a29e5517d1f3c03cac4f39ce3225060b3efb799cd9c412746ae2', 'regtest'],
];

describe('address: published vectors', () => {
  it.each(BIP350_VALID)('BIP350 valid %s', (address, script, network) => {
    expect(bytesToHex(addressToScript(address, network))).toBe(script);
    expect(scriptToAddress(hexToBytes(script), network)).toBe(address.toLowerCase());
  });

  it.each(BIP_INVALID)('BIP173/350 invalid %s', (address, reason) => {
    let err: unknown;
    try {
      decodeAddress(address);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidAddressError);
    expect((err as InvalidAddressError).reason).toMatch(reason);
    expect((err as InvalidAddressError).address).toBe(address);
  });

  it.each(CORE_KEY_IO)('Bitcoin Core key_io %s', (address, script, network) => {
    expect(bytesToHex(addressToScript(address, network))).toBe(script);
    expect(scriptToAddress(hexToBytes(script), network)).toBe(address);
  });
});

describe('address: networks', () => {
  it('names the mistake when a mainnet address is used on simnet', () => {
    expect(() => validateAddress('bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv', 'regtest', { chainName: 'simnet' })).toThrow(
      'this is a mainnet address; simnet uses regtest addresses (bcrt1…, m…, n…, 2…)',
    );
    expect(() => validateAddress('1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo', 'regtest', { chainName: 'simnet' })).toThrow(/this is a mainnet address/);
    expect(() => validateAddress('tb1qcrh3yqn4nlleplcez2yndq2ry8h9ncg3qh7n54', 'regtest')).toThrow(
      'this is a testnet address; expected a regtest address (bcrt1…, m…, n…, 2…)',
    );
    expect(() => validateAddress('bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9', 'mainnet')).toThrow(/this is a regtest address/);
    expect(() => validateAddress('n4fajahJrAuKbN7uNsKjLjQkz9Qn5ewJXQ', 'mainnet')).toThrow(/this is a testnet\/regtest address/);
  });

  it('base58 m/n/2 addresses are valid on both testnet and regtest', () => {
    const d = decodeAddress('2MxFajLApXpYk4VodBSZSt7rw8y4ryABkfA');
    expect(d.type).toBe('p2sh');
    expect(d.networks).toEqual(['testnet', 'regtest']);
    expect(isValidAddress('2MxFajLApXpYk4VodBSZSt7rw8y4ryABkfA', 'testnet')).toBe(true);
    expect(isValidAddress('2MxFajLApXpYk4VodBSZSt7rw8y4ryABkfA', 'regtest')).toBe(true);
    expect(isValidAddress('2MxFajLApXpYk4VodBSZSt7rw8y4ryABkfA', 'mainnet')).toBe(false);
  });

  it('reports types', () => {
    expect(decodeAddress('bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9').type).toBe('p2wpkh');
    expect(decodeAddress('bcrt1qan8gntac7z7me2ejt4hpru42ad2f759fmy0m3ejvs98656znv7eqga4uhv').type).toBe('p2wsh');
    expect(decodeAddress('bcrt1pfwxjqvtt4tcxrtdluukfmy2dv7xd2qzdfy6kajv5nwn4yam3wxkq3553uh').type).toBe('p2tr');
    expect(decodeAddress('mfhE6jAUwjUDNZhaX1PAsDTKfneQF2Nshc').type).toBe('p2pkh');
    expect(decodeAddress('BC1SW50QGDZ25J').type).toBe('witness-unknown');
  });
});

describe('address: malformed input', () => {
  const cases: [unknown, RegExp][] = [
    ['', /empty/],
    [' bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9', /spaces/],
    ['hello world', /not a Bitcoin address/],
    ['1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mp', /bad checksum/],
    ['mfhE6jAUwjUDNZhaX1PAsDTKfneQF2Nshd', /bad checksum/],
    ['bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu8', /bad checksum/],
    [42, /must be a string/],
    [null, /must be a string/],
    ['bc1' + 'q'.repeat(200), /too long/],
    ['\u0000\u0001', /not a Bitcoin address/],
  ];
  it.each(cases)('rejects %j', (input, reason) => {
    expect(() => decodeAddress(input as string)).toThrow(reason);
  });

  it('base58check strings of the wrong length or version are rejected with the reason', () => {
    const b58 = createBase58check(sha256);
    const shortHash = b58.encode(new Uint8Array([0x6f, ...new Uint8Array(19).fill(7)]));
    expect(() => decodeAddress(shortHash)).toThrow('bad length: base58 address payload is 20 bytes (must be 21)');
    const litecoin = b58.encode(new Uint8Array([0x30, ...new Uint8Array(20).fill(7)]));
    expect(() => decodeAddress(litecoin)).toThrow('unknown version byte 0x30');
  });

  it('scriptToAddress returns undefined for scripts without an address', () => {
    expect(scriptToAddress(hexToBytes('6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9'), 'regtest')).toBeUndefined();
    expect(scriptToAddress(new Uint8Array(0), 'regtest')).toBeUndefined();
    expect(scriptToAddress(hexToBytes('0015' + '00'.repeat(21)), 'regtest')).toBeUndefined();
    expect(scriptToAddress(hexToBytes('51'), 'regtest')).toBeUndefined();
  });
});

// Ravencoin's own published keys (RavenProject/Ravencoin 6d48ae01 src/test/data/base58_keys_valid.json):
// address, hash160, type, testnet.
const RAVENCOIN_VALID: [string, string, 'p2pkh' | 'p2sh', boolean][] = [
  ['RJYZeWxr1Ly8YgcvJU1qD5MR9jUtk14HkN', '65a16059864a2fdbc7c99a4723a8395bc6f188eb', 'p2pkh', false],
  ['rGtwTfEisPQ7k8KNggmT4kq2vHpbEV6evU', '74f209f6ea907e2ea48f74fae05782ae8a665257', 'p2sh', false],
  ['mo9ncXisMeAoXwqcV5EWuyncbmCcQN4rVs', '53c0307d6851aa0ce7825ba883c6bd9ad242b486', 'p2pkh', true],
  ['2N2JD6wb56AfK4tfmM6PwdVmoYk2dCKf4Br', '6349a418fc4578d10a372b54b45c280cc8c4382f', 'p2sh', true],
];

describe('Ravencoin addresses', () => {
  it.each(RAVENCOIN_VALID)('%s decodes to its published hash and back', (address, hash, type, testnet) => {
    const d = decodeAddress(address, 'ravencoin');
    expect(d.type).toBe(type);
    expect(bytesToHex(d.program)).toBe(hash);
    expect(d.networks).toEqual(testnet ? ['testnet', 'regtest'] : ['mainnet']);
    for (const network of d.networks) {
      expect(scriptToAddress(d.script, network, 'ravencoin')).toBe(address);
      expect(addressToScript(address, network, 'ravencoin')).toEqual(d.script);
    }
  });

  it("keeps Bitcoin's bytes on testnet and regtest, and its own on mainnet", () => {
    // The same regtest key is m/n... on both coins; mainnet R... is no Bitcoin address.
    expect(isValidAddress('mo9ncXisMeAoXwqcV5EWuyncbmCcQN4rVs', 'regtest', 'ravencoin')).toBe(true);
    expect(isValidAddress('mo9ncXisMeAoXwqcV5EWuyncbmCcQN4rVs', 'regtest')).toBe(true);
    expect(() => decodeAddress('RJYZeWxr1Ly8YgcvJU1qD5MR9jUtk14HkN')).toThrow(/not a Bitcoin P2PKH or P2SH address/);
    expect(() => decodeAddress('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'ravencoin')).toThrow(/not a Ravencoin P2PKH or P2SH address/);
  });

  it('has no segwit addresses: a bech32 address is refused with the reason, a segwit script has no address', () => {
    expect(() => validateAddress('bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', 'regtest', { coin: 'ravencoin' })).toThrow(/Ravencoin has no bech32 addresses/);
    const p2wpkh = hexToBytes('0014751e76e8199196d454941c45d1b3a323f1433bd6');
    expect(scriptToAddress(p2wpkh, 'regtest', 'ravencoin')).toBeUndefined();
    expect(scriptToAddress(p2wpkh, 'regtest')).toMatch(/^bcrt1q/);
  });

  it('names the network it expected with its address forms', () => {
    expect(() => validateAddress('RJYZeWxr1Ly8YgcvJU1qD5MR9jUtk14HkN', 'regtest', { coin: 'ravencoin', chainName: 'simnet' })).toThrow(
      /this is a mainnet address; simnet uses regtest addresses \(m…, n…, 2…\)/,
    );
    expect(() => validateAddress('mo9ncXisMeAoXwqcV5EWuyncbmCcQN4rVs', 'mainnet', { coin: 'ravencoin' })).toThrow(/expected a mainnet address \(R…, r…\)/);
    expect(() => decodeAddress('RJYZeWxr1Ly8YgcvJU1qD5MR9jUtk14HkM', 'ravencoin')).toThrow(/bad checksum/);
    expect(() => decodeAddress('RJYZ', 'dogecoin' as never)).toThrow(InvalidAddressError);
  });
});
