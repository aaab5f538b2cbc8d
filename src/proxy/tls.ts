// `--tls` (gateway.md §7.5): a fresh ECDSA P-256 CA and a server certificate it signs for
// localhost, 127.0.0.1 and ::1, written as the reference lays them out (ca.crt, server.crt,
// server.key), so that `gh` and curl trust the proxy through SSL_CERT_FILE and friends.
// The certificates are built with @peculiar/x509 over WebCrypto (docs/architecture.md says why).
import { createPrivateKey } from "node:crypto";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface TlsMaterial {
  caCertPath: string;
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const HOUR_MS = 3_600_000;

export async function generateTlsMaterial(dir: string, now = new Date()): Promise<TlsMaterial> {
  // The library's dependency injection needs the Reflect metadata API; loaded only for --tls.
  await import("reflect-metadata");
  const x509 = await import("@peculiar/x509");
  x509.cryptoProvider.set(crypto);

  const notBefore = new Date(now.getTime() - HOUR_MS);
  const notAfter = new Date(now.getTime() + 24 * HOUR_MS);
  const caKeys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: "CN=MCPG Proxy CA, O=MCPG Proxy",
    notBefore,
    notAfter: new Date(notBefore.getTime() + 24 * HOUR_MS),
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const serverKeys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: "CN=localhost",
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "ip", value: "127.0.0.1" },
        { type: "ip", value: "::1" },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });

  const pkcs8 = Buffer.from(await crypto.subtle.exportKey("pkcs8", serverKeys.privateKey));
  const key = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }).export({ type: "sec1", format: "pem" }).toString();
  const cert = server.toString("pem") + "\n";

  await mkdir(dir, { recursive: true, mode: 0o700 });
  const material: TlsMaterial = {
    caCertPath: join(dir, "ca.crt"),
    certPath: join(dir, "server.crt"),
    keyPath: join(dir, "server.key"),
    cert,
    key,
  };
  await writeFile(material.caCertPath, ca.toString("pem") + "\n", { mode: 0o644 });
  await writeFile(material.certPath, cert, { mode: 0o644 });
  await writeFile(material.keyPath, key, { mode: 0o600 });
  // An existing file keeps its mode through writeFile; the key must not stay readable to others.
  await chmod(material.keyPath, 0o600);
  return material;
}

/** A random positive 128-bit serial number, in hex. */
function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString("hex");
}
