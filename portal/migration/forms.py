from django import forms

from .models import Cadence, Decommission, Level, ProductKind, R, Wave
from .product_data import format_sources, parse_sources, split_list


class DataProductForm(forms.Form):
    """A product as a person enters it; ``cleaned_data`` has what the services take."""

    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=ProductKind.choices)
    owner = forms.CharField(max_length=150, help_text="Who answers for it (name or e-mail).")
    current_platform = forms.CharField(max_length=150, help_text="Where it runs now, e.g. SAS Grid, on-prem Hadoop.")
    languages = forms.CharField(required=False, max_length=500, label="Languages and frameworks",
                                help_text="Separated by commas: SAS, R, Python, PySpark…")
    cadence = forms.ChoiceField(choices=Cadence.choices, label="Inference or run cadence")
    data_sources = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                                   help_text="One per line: name:classification (public, internal, confidential, "
                                             "restricted), e.g. crm.customers:confidential")
    criticality = forms.ChoiceField(choices=Level.choices, initial=Level.MEDIUM, label="Business criticality")
    regulatory_constraints = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                             max_length=2000, help_text="e.g. GDPR, model risk; empty: none.")
    complexity = forms.ChoiceField(choices=Level.choices, initial=Level.MEDIUM)
    depends_on = forms.CharField(required=False, max_length=2000, label="Depends on",
                                 help_text="Names of other products of the team, separated by commas.")
    in_use = forms.BooleanField(required=False, initial=True, label="Someone still uses its results")
    commercial_alternative = forms.BooleanField(required=False, label="A product on the market does the same")
    cores = forms.IntegerField(min_value=1, max_value=1024, initial=2)
    memory_gb = forms.IntegerField(min_value=1, max_value=16384, initial=8, label="Memory (GB)")
    gpus = forms.IntegerField(min_value=0, max_value=64, initial=0, label="GPUs")
    hours_per_week = forms.IntegerField(min_value=0, max_value=168, initial=10, label="Hours per week")

    def clean_languages(self):
        return split_list(self.cleaned_data["languages"])[:20]

    def clean_depends_on(self):
        return split_list(self.cleaned_data["depends_on"])

    def clean_data_sources(self):
        sources, problems = parse_sources(self.cleaned_data["data_sources"])
        if problems:
            raise forms.ValidationError(problems)
        return sources

    @classmethod
    def initial_for(cls, product) -> dict:
        return {"name": product.name, "kind": product.kind, "owner": product.owner,
                "current_platform": product.current_platform, "languages": ", ".join(product.languages),
                "cadence": product.cadence, "data_sources": format_sources(product.data_sources).replace("; ", "\n"),
                "criticality": product.criticality, "regulatory_constraints": product.regulatory_constraints,
                "complexity": product.complexity, "depends_on": ", ".join(p.name for p in product.depends_on.all()),
                "in_use": product.in_use, "commercial_alternative": product.commercial_alternative,
                "cores": product.cores, "memory_gb": product.memory_gb, "gpus": product.gpus,
                "hours_per_week": product.hours_per_week}


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A .csv or .xlsx file with the template's columns (at most 2 MB).")


class ConfirmTriageForm(forms.Form):
    chosen_r = forms.ChoiceField(choices=R.choices, label="R", widget=forms.RadioSelect)
    justification = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                                    help_text="Needed when you choose another R than the proposed one.")


class RetainForm(forms.Form):
    revisit_on = forms.DateField(label="Revisit on", widget=forms.DateInput(attrs={"type": "date"}))


class DecommissionForm(forms.Form):
    owner_sign_off = forms.BooleanField(required=False, label="The owner signs off the retirement")
    retention = forms.ChoiceField(choices=[("", "—"), *Decommission.Retention.choices], required=False,
                                  label="Its data")
    retain_until = forms.DateField(required=False, label="Keep the archive until",
                                   widget=forms.DateInput(attrs={"type": "date"}))
    consumers_notified = forms.BooleanField(required=False, label="The people who use its results were told")


class TolerancesForm(forms.Form):
    key_column = forms.CharField(required=False, max_length=100, help_text="Identifies a row in both outputs; "
                                 "empty: rows are compared in order.")
    max_row_count_difference_pct = forms.DecimalField(min_value=0, max_value=100, decimal_places=2, initial=0,
                                                      label="Row counts may differ by (%)")
    max_numeric_difference = forms.FloatField(min_value=0, initial=1e-6, label="Numbers may differ by (absolute)")
    min_label_agreement_pct = forms.DecimalField(min_value=0, max_value=100, decimal_places=2, initial=100,
                                                 label="Labels must agree on at least (%)")


class CycleForm(forms.Form):
    old_output = forms.FileField(label="Original's output (CSV)")
    new_output = forms.FileField(label="Migrated product's output (CSV)")


class LessonForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=10000, label="What we learned")


class WaveForm(forms.Form):
    name = forms.CharField(max_length=100)
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    is_pilot = forms.BooleanField(required=False, label="Pilot wave")


class PilotForm(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=50, initial=4, label="Pilots")


class AssignWaveForm(forms.Form):
    wave = forms.ModelChoiceField(queryset=Wave.objects.all(), required=False, empty_label="No wave")
