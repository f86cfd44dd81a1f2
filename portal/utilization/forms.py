from django import forms

from .models import MachineUse


class KeepRunningForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=30, initial=7, label="Keep it running for (days)")
    reason = forms.CharField(max_length=300, widget=forms.TextInput, help_text="Why it must not be stopped (audited).")


class ScheduleForm(forms.Form):
    schedule = forms.ChoiceField(choices=MachineUse.Schedule.choices)
