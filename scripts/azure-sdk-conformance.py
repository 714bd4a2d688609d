#!/usr/bin/env python3
"""Microsoft's own Azure SDKs as clients of `costwh emulate` (issue #26, docs/AZURE-CONTRACT.md).

Usage: azure-sdk-conformance.py COSTWH_BINARY
Needs (PyPI): azure-identity, azure-mgmt-costmanagement==5.0.0, azure-mgmt-consumption==11.0.0; and
openssl on the PATH. It makes a throwaway self-signed certificate (azure-identity refuses a plain
HTTP authority), starts `costwh emulate --tls-cert … --tls-key …` on loopback under several fault
settings, and drives every operation costwh uses with Microsoft's clients:
  sign-in: client credentials through MSAL (its OpenID discovery first), managed identity;
  Cost Details, generateDetailedCostReport, usageDetails (EA legacy and MCA modern records),
  the EA and MCA price sheets, the reservation details report (EA and MCA), reservation
  transactions (EA and MCA), balances by billing period, marketplaces, exports.
Each operation must complete, deserialize into the SDK's models with no unknown field and no
missing required one, and give the rows the emulator's truth says: a Cost Details report's
blobs hold exactly the rows and cost `costwh reload` loads from the same emulator.
Ends with 'N passed, N failed'; exit status 1 when anything failed.
"""
import csv, gzip, io, json, os, re, shutil, sqlite3, ssl, subprocess, sys, tempfile, time, urllib.request

COSTWH = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/costwh"
EA = "/providers/Microsoft.Billing/billingAccounts/8611537"
MCA_ACCOUNT = "1234:5678_2019-05-31"
MCA_PROFILE = "AB12-CD34-BG7-TGB"
MCA = f"/providers/Microsoft.Billing/billingAccounts/{MCA_ACCOUNT}/billingProfiles/{MCA_PROFILE}"
work = tempfile.mkdtemp(prefix="costwh-sdk-")
passed = failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def certificate():
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


def start_emulator(cert, key, *faults):
    tls = ["--tls-cert", cert, "--tls-key", key] if cert else []
    process = subprocess.Popen([COSTWH, "emulate", "--port", "0", *tls,
                                "--rows-per-month", "150", "--poll-retry-after", "0", *faults],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    env = {}
    deadline = time.time() + 30
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        match = re.search(r"export (\w+)=(\S+)(?: (\w+)=(\S+))?", line)
        if match:
            env[match.group(1)] = match.group(2)
            if match.group(3):
                env[match.group(3)] = match.group(4)
        if "AZURE_CLIENT_SECRET" in env and "COSTWH_EA_API_KEY" in env:
            return process, env
    process.kill()
    raise SystemExit("costwh emulate did not start")


def unknown_or_missing(model, path="", found=None):
    """Fields the SDK's model does not know (left in its raw data) and required fields absent."""
    found = [] if found is None else found
    fields = getattr(model, "_attr_to_rest_field", None)
    if fields is None:
        if isinstance(model, list):
            for i, item in enumerate(model):
                unknown_or_missing(item, f"{path}[{i}]", found)
        return found
    known = {f._rest_name for f in fields.values()}
    data = getattr(model, "_data", {})
    for key in data:
        if key not in known:
            found.append(f"unknown {path}.{key}")
    for attr, field in fields.items():
        if not getattr(field, "_is_optional", True) and field._rest_name not in data:
            found.append(f"missing required {path}.{field._rest_name}")
        if field._rest_name in data:
            unknown_or_missing(getattr(model, attr, None), f"{path}.{field._rest_name}", found)
    return found


def csv_truth(links, cert):
    rows, cost = 0, 0.0
    context = ssl.create_default_context(cafile=cert)
    for link in links:
        body = urllib.request.urlopen(link, context=context).read()
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
        reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
        column = next(c for c in reader.fieldnames if c.lower() in ("costinbillingcurrency", "cost", "pretaxcost"))
        for row in reader:
            rows += 1
            cost += float(row[column] or 0)
    return rows, cost


def costwh_truth(env, scope, period, metric):
    """What costwh loads for the partition from an emulator of the same settings (plain HTTP:
    costwh trusts only the system's certificate authorities, not this run's throwaway one)."""
    db = os.path.join(work, f"truth-{abs(hash((scope, period, metric)))}.sqlite")
    run_env = dict(os.environ, **env)
    r = subprocess.run([COSTWH, "reload", "--scope", scope, "--period", period, "--metric", metric, "--db", db],
                       env=run_env, capture_output=True, text=True)
    if r.returncode != 0:
        return None
    c = sqlite3.connect(db)
    n, total = c.execute("select count(*), total(CostInBillingCurrency) from cost_details").fetchone()
    c.close()
    return n, total


def run(label, faults):
    from azure.identity import ClientSecretCredential, ManagedIdentityCredential
    from azure.mgmt.consumption import ConsumptionManagementClient
    from azure.mgmt.costmanagement import CostManagementClient
    from azure.mgmt.costmanagement import models as cm

    cert, key = certificate()
    process, env = start_emulator(cert, key, *faults)
    plain, plain_env = start_emulator(None, None, *faults)
    os.environ["REQUESTS_CA_BUNDLE"] = cert
    os.environ["SSL_CERT_FILE"] = cert
    base = env["COSTWH_ARM_ENDPOINT"]
    try:
        credential = ClientSecretCredential(env["AZURE_TENANT_ID"], env["AZURE_CLIENT_ID"], env["AZURE_CLIENT_SECRET"],
                                            authority=base, disable_instance_discovery=True)
        token = credential.get_token("https://management.azure.com/.default")
        check(f"[{label}] sign-in: client credentials through MSAL", bool(token.token))
        os.environ["IDENTITY_ENDPOINT"] = base + "/metadata/identity/oauth2/token"
        os.environ["IDENTITY_HEADER"] = "costwh-sdk-check"
        managed = ManagedIdentityCredential().get_token("https://management.azure.com/.default")
        check(f"[{label}] sign-in: managed identity", bool(managed.token))
        for name in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER"):
            del os.environ[name]

        polling = {"polling_interval": 0}
        cost = CostManagementClient(credential, base_url=base)
        consumption = ConsumptionManagementClient(credential, subscription_id="00000000-0000-0000-0000-000000000000",
                                                  base_url=base)
        month = time.strftime("%Y-%m", time.gmtime(time.time() - 40 * 86400))
        year, number = int(month[:4]), int(month[5:])
        days = (31 if number in (1, 3, 5, 7, 8, 10, 12) else 30 if number != 2 else
                29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28)
        first, last = month + "-01", f"{month}-{days:02d}"
        for scope, tag in ((EA, "EA"), (MCA, "MCA")):
            definition = cm.GenerateCostDetailsReportRequestDefinition(
                metric="ActualCost", time_period=cm.CostDetailsTimePeriod(start=first, end=last))
            result = cost.generate_cost_details_report.begin_create_operation(scope, definition, **polling).result()
            problems = unknown_or_missing(result)
            check(f"[{label}] Cost Details ({tag}) deserializes", not problems, problems)
            links = [b.blob_link for b in result.manifest.blobs]
            rows, total = csv_truth(links, cert)
            truth = costwh_truth(plain_env, scope, month, "actual")
            check(f"[{label}] Cost Details ({tag}) rows as costwh loads them", truth is not None and rows > 0
                  and truth[0] == rows and abs(truth[1] - total) <= 1e-6 * max(1, abs(total)), (rows, total, truth))

            detailed = cost.generate_detailed_cost_report.begin_create_operation(
                scope, cm.GenerateDetailedCostReportDefinition(
                    metric="ActualCost", time_period=cm.GenerateDetailedCostReportTimePeriod(start=first, end=last)),
                **polling).result()
            problems = unknown_or_missing(detailed)
            check(f"[{label}] generateDetailedCostReport ({tag}) completes and deserializes",
                  not problems and bool(detailed.properties and detailed.properties.download_url), problems)

            usage = list(consumption.usage_details.list(scope, filter=f"properties/usageStart ge '{first}' and properties/usageEnd le '{last}'"))
            problems = [p for u in usage for p in unknown_or_missing(u)]
            kinds = {u.kind for u in usage}
            check(f"[{label}] usageDetails ({tag}: {','.join(sorted(kinds))}) deserializes", usage and not problems, problems[:5])

        period = month.replace("-", "")
        ea_sheet = cost.price_sheet.begin_download_by_billing_account("8611537", period, **polling).result()
        check(f"[{label}] EA price sheet completes", not unknown_or_missing(ea_sheet), unknown_or_missing(ea_sheet))
        mca_sheet = cost.price_sheet.begin_download_by_billing_profile(MCA_ACCOUNT, MCA_PROFILE, **polling).result()
        problems = unknown_or_missing(mca_sheet)
        check(f"[{label}] MCA price sheet completes, flat", not problems and bool(mca_sheet.download_url), problems)

        for tag, call in (("EA", lambda: cost.generate_reservation_details_report.begin_by_billing_account_id(
                "8611537", start_date=first, end_date=last, **polling)),
                          ("MCA", lambda: cost.generate_reservation_details_report.begin_by_billing_profile_id(
                              MCA_ACCOUNT, MCA_PROFILE, start_date=first, end_date=last, **polling))):
            report = call().result()
            problems = unknown_or_missing(report)
            check(f"[{label}] reservation details report ({tag}) completes", not problems, problems)

        window = f"properties/eventDate ge {first} AND properties/eventDate le {last}"
        transactions = list(consumption.reservation_transactions.list("8611537", filter=window))
        problems = [p for t in transactions for p in unknown_or_missing(t)]
        check(f"[{label}] reservation transactions (EA)", not problems, problems[:5])
        transactions = list(consumption.reservation_transactions.list_by_billing_profile(
            MCA_ACCOUNT, MCA_PROFILE, filter=window))
        problems = [p for t in transactions for p in unknown_or_missing(t)]
        check(f"[{label}] reservation transactions (MCA)", not problems, problems[:5])

        balance = consumption.balances.get_for_billing_period_by_billing_account("8611537", period)
        problems = unknown_or_missing(balance)
        check(f"[{label}] balances by billing period", not problems and balance.utilized is not None, problems)

        markets = list(consumption.marketplaces.list(
            f"/providers/Microsoft.Billing/billingAccounts/8611537/providers/Microsoft.Billing/billingPeriods/{period}"))
        problems = [p for m in markets for p in unknown_or_missing(m)]
        check(f"[{label}] marketplaces", not problems, problems[:5])

        exports = cost.exports.list(EA)
        problems = unknown_or_missing(exports)
        check(f"[{label}] exports list", not problems, problems)
    except Exception as error:  # an SDK that cannot finish an operation fails the run
        check(f"[{label}] every operation completes", False, f"{type(error).__name__}: {str(error)[:400]}")
    finally:
        for p in (process, plain):
            p.kill()
            p.wait()


if __name__ == "__main__":
    for label, faults in (("no faults", []),
                          ("throttled, slow, several gzip blobs", ["--throttle", "2", "--throttle-seconds", "1",
                                                                   "--slow-polls", "2", "--blobs-per-report", "3",
                                                                   "--gzip"])):
        run(label, faults)
    shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
