"""Entering products from a spreadsheet: the template downloads, a good CSV or XLSX imports every row,
a file with bad rows imports nothing and says what is wrong on which row."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from portal.migration.models import DataProduct
from portal.migration.product_data import COLUMNS
from portal.migration.spreadsheets import csv_template

HEADER = ",".join(COLUMNS)
GOOD = [
    "fraud-model,ML model,ana@example.org,SAS Grid,SAS; Python,monthly,cards.tx:confidential,high,GDPR,high,,yes,no,"
    "8,64,0,12",
    "fraud-features,pipeline,bo@example.org,Hadoop,PySpark,daily,cards.tx:confidential; web:internal,medium,,medium,"
    "fraud-model,yes,no,16,128,0,40",
]


def upload(client, user, team, name, content):
    client.force_login(user)
    return client.post(f"/migrations/teams/{team.slug}/products/import/",
                       {"file": SimpleUploadedFile(name, content)})


def test_a_good_csv_imports_every_row_with_its_dependencies(client, migration):
    team = migration.teams["churn-modelling"]
    response = upload(client, migration.people["requester"], team, "p.csv", "\n".join([HEADER, *GOOD]).encode())
    assert response.status_code == 302
    model, features = DataProduct.objects.get(name="fraud-model"), DataProduct.objects.get(name="fraud-features")
    assert (model.kind, model.languages, model.cores, model.data_classification) == ("model", ["SAS", "Python"], 8,
                                                                                     "confidential")
    assert list(features.depends_on.all()) == [model]
    page = client.get(response.url).content.decode()
    assert "2 data products imported into Churn modelling." in page and "fraud-features" in page


def test_bad_rows_are_listed_with_their_row_and_nothing_is_saved(client, migration):
    team = migration.teams["churn-modelling"]
    rows = [HEADER, GOOD[0],
            "bad-kind,spaceship,x@example.org,VM,Python,daily,,high,,low,,yes,no,2,8,0,5",
            "no-owner,notebook,,VM,Python,sometimes,db:secret,high,,low,ghost,maybe,no,two,8,0,5",
            "fraud-model,notebook,x@example.org,VM,Python,daily,,low,,low,,yes,no,2,8,0,200"]
    response = upload(client, migration.people["requester"], team, "p.csv", "\n".join(rows).encode())
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page
    for row, problem in [(3, "“spaceship” is not one of"), (4, "Required."), (4, "“sometimes” is not one of"),
                         (4, "“secret” is not a classification"), (4, "No product called ghost"),
                         (4, "“maybe”: answer yes or no."), (4, "“two” is not a whole number"),
                         (5, "“fraud-model” is also on row 2."), (5, "“200” is not a whole number from 0 to 168")]:
        assert f"<td>{row}</td>" in page and problem in page, problem
    assert not DataProduct.objects.exists()


def test_a_name_already_entered_refuses_the_file(client, migration, make_product):
    make_product(name="fraud-model")
    team = migration.teams["churn-modelling"]
    response = upload(client, migration.people["requester"], team, "p.csv", "\n".join([HEADER, *GOOD]).encode())
    assert response.status_code == 400
    assert "Churn modelling already has a product called “fraud-model”." in response.content.decode()
    assert DataProduct.objects.count() == 1


@pytest.mark.parametrize(("name", "content", "message"), [
    ("p.txt", b"name\n", "Upload a .csv or .xlsx file"),
    ("p.csv", b"name,colour\nx,red\n", "missing: kind, owner, current_platform, cadence"),
    ("p.csv", b"\xff\xfe\x00bad", "not UTF-8"),
    ("p.xlsx", b"not a workbook", "not an Excel workbook"),
    ("p.csv", HEADER.encode() + b"\n", "The file has no product rows."),
])
def test_unreadable_files_are_refused_whole(client, migration, name, content, message):
    response = upload(client, migration.people["requester"], migration.teams["churn-modelling"], name, content)
    assert response.status_code == 400 and message in response.content.decode()
    assert not DataProduct.objects.exists()


def test_the_xlsx_template_downloads_and_a_filled_workbook_imports(client, migration):
    client.force_login(migration.people["requester"])
    response = client.get("/migrations/products/template.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in book["Products"][1]] == COLUMNS
    assert "How to fill it in" in book.sheetnames
    filled = Workbook()
    sheet = filled.active
    sheet.append(COLUMNS)
    sheet.append(["ab-uplift", "A/B-test support", "cy@example.org", "SAS Grid", "SAS", "weekly", "", "low", "",
                  "low", "", "no", "no", 2, 8, 0, 3])  # numbers as numbers, as Excel keeps them
    content = io.BytesIO()
    filled.save(content)
    response = upload(client, migration.people["requester"], migration.teams["churn-modelling"], "p.xlsx",
                      content.getvalue())
    assert response.status_code == 302
    product = DataProduct.objects.get(name="ab-uplift")
    assert (product.kind, product.in_use, product.hours_per_week) == ("ab_test", False, 3)


def test_the_csv_template_round_trips():
    assert csv_template().splitlines()[0] == HEADER


def test_someone_outside_the_team_cannot_import_into_it(client, migration, make_user):
    outsider = make_user("outsider", team=migration.teams["finance"])
    response = upload(client, outsider, migration.teams["churn-modelling"], "p.csv",
                      "\n".join([HEADER, *GOOD]).encode())
    assert response.status_code == 404 and not DataProduct.objects.exists()


def test_odd_characters_are_row_errors_not_server_errors(client, migration):
    rows = [HEADER, "odd\x00name,notebook,x@example.org,VM,Python,daily,,low,,low,,yes,no,²,8,0,5"]
    response = upload(client, migration.people["requester"], migration.teams["churn-modelling"], "p.csv",
                      "\n".join(rows).encode())
    assert response.status_code == 400 and "“²” is not a whole number" in response.content.decode()
    assert not DataProduct.objects.exists()
