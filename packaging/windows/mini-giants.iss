; Inno Setup script: a Windows installer for the bundle that `make bundle` (or the same PyInstaller
; command in a Developer PowerShell) built in dist\Mini-Giants. Build it with Inno Setup 6:
;   iscc /DAppVersion=0.1.0 packaging\windows\mini-giants.iss
; The installer goes to dist\Mini-Giants-<version>-setup.exe. It installs per user by default (no
; administrator rights needed), adds a Start-menu entry and, if wished, a desktop icon. Signing: see
; packaging\README.md. The vault and models live in the user's data folder, which uninstalling
; leaves alone: deleting them is the person's choice, made in the app.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6F0B8F5E-3C1D-4E0B-9C55-7A3C2B9D1E44}
AppName=Mini-Giants
AppVersion={#AppVersion}
AppPublisher=Mini-Giants
AppPublisherURL=https://github.com/mini-giants/mini-giants
DefaultDirName={autopf}\Mini-Giants
DefaultGroupName=Mini-Giants
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=Mini-Giants-{#AppVersion}-setup
SetupIconFile=..\..\build\icons\Mini-Giants.ico
UninstallDisplayIcon={app}\minigiants.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
LicenseFile=..\..\LICENSE

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\Mini-Giants\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Mini-Giants"; Filename: "{app}\minigiants.exe"
Name: "{group}\{cm:UninstallProgram,Mini-Giants}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Mini-Giants"; Filename: "{app}\minigiants.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\minigiants.exe"; Description: "{cm:LaunchProgram,Mini-Giants}"; Flags: nowait postinstall skipifsilent
