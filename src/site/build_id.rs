//! The linker's build ID of an executable: the `NT_GNU_BUILD_ID` note of a little-endian
//! ELF64 file, a hash of the file's contents written at link time (`--build-id`, which GCC
//! and Clang ask of the linker on most Linux distributions).
//!
//! The build salt (`manifest::build_salt`) needs something that changes whenever the program
//! does. Hashing the whole executable costs 35 ms for a 48 MB debug build, on every build; the
//! note is a few hundred bytes read from the file's head. Anything else (another format, no
//! note, a file that does not parse) gives `None`, and the salt hashes the whole file instead.

use std::io::{Read, Seek, SeekFrom};

const PT_NOTE: u32 = 4;
const NT_GNU_BUILD_ID: u32 = 3;
/// Program headers and notes larger than this are not what a linker writes.
const MAX_READ: u64 = 1 << 20;

/// The build ID of the ELF file `file` is, or `None`.
pub fn gnu_build_id(file: &mut (impl Read + Seek)) -> Option<Vec<u8>> {
    let head = read_at(file, 0, 64)?;
    // ELF magic, 64-bit class, little-endian data.
    if head[..4] != *b"\x7fELF" || head[4] != 2 || head[5] != 1 {
        return None;
    }
    let phoff = u64_at(&head, 0x20)?;
    let phentsize = u64::from(u16_at(&head, 0x36)?);
    let phnum = u64::from(u16_at(&head, 0x38)?);
    if phentsize < 56 || phentsize * phnum > MAX_READ {
        return None;
    }
    let table = read_at(file, phoff, phentsize * phnum)?;
    table
        .chunks_exact(usize::try_from(phentsize).ok()?)
        .filter(|header| u32_at(header, 0) == Some(PT_NOTE))
        .find_map(|header| {
            let offset = u64_at(header, 0x08)?;
            let size = u64_at(header, 0x20)?;
            if size > MAX_READ {
                return None;
            }
            build_id_note(&read_at(file, offset, size)?)
        })
}

/// The description of the first `GNU` note of type `NT_GNU_BUILD_ID` in a note segment.
fn build_id_note(mut notes: &[u8]) -> Option<Vec<u8>> {
    let aligned = |n: usize| n.checked_add(3).map(|n| n & !3);
    while notes.len() >= 12 {
        let name_size = usize::try_from(u32_at(notes, 0)?).ok()?;
        let desc_size = usize::try_from(u32_at(notes, 4)?).ok()?;
        let kind = u32_at(notes, 8)?;
        let name_end = 12usize.checked_add(aligned(name_size)?)?;
        let desc_end = name_end.checked_add(aligned(desc_size)?)?;
        let name = notes.get(12..12 + name_size)?;
        let desc = notes.get(name_end..name_end + desc_size)?;
        if kind == NT_GNU_BUILD_ID && name == b"GNU\0" && !desc.is_empty() {
            return Some(desc.to_vec());
        }
        notes = notes.get(desc_end..)?;
    }
    None
}

fn read_at(file: &mut (impl Read + Seek), offset: u64, len: u64) -> Option<Vec<u8>> {
    file.seek(SeekFrom::Start(offset)).ok()?;
    let mut bytes = vec![0; usize::try_from(len).ok()?];
    file.read_exact(&mut bytes).ok()?;
    Some(bytes)
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A minimal ELF64 file: the header, one program header per segment, then the notes.
    fn elf(notes: &[&[u8]]) -> Vec<u8> {
        let mut file = vec![0u8; 64];
        file[..6].copy_from_slice(b"\x7fELF\x02\x01");
        file[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        file[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        file[0x38..0x3a].copy_from_slice(&u16::try_from(notes.len()).unwrap().to_le_bytes());
        let mut offset = 64 + 56 * notes.len();
        for note in notes {
            let mut header = vec![0u8; 56];
            header[..4].copy_from_slice(&PT_NOTE.to_le_bytes());
            header[0x08..0x10].copy_from_slice(&(offset as u64).to_le_bytes());
            header[0x20..0x28].copy_from_slice(&(note.len() as u64).to_le_bytes());
            file.extend(header);
            offset += note.len();
        }
        for note in notes {
            file.extend_from_slice(note);
        }
        file
    }

    fn note(name: &[u8], kind: u32, desc: &[u8]) -> Vec<u8> {
        let mut n = Vec::new();
        n.extend((name.len() as u32).to_le_bytes());
        n.extend((desc.len() as u32).to_le_bytes());
        n.extend(kind.to_le_bytes());
        n.extend(name);
        n.resize(n.len().next_multiple_of(4), 0);
        n.extend(desc);
        n.resize(n.len().next_multiple_of(4), 0);
        n
    }

    #[test]
    fn finds_the_gnu_build_id_after_other_notes() {
        let abi = note(
            b"GNU\0",
            1,
            &[0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0],
        );
        let other = note(b"Go\0", NT_GNU_BUILD_ID, b"not this one");
        let id = note(b"GNU\0", NT_GNU_BUILD_ID, &[0xbc, 0x03, 0x01, 0x52, 0xc8]);
        let file = elf(&[&abi, &[other, id].concat()]);
        assert_eq!(
            gnu_build_id(&mut Cursor::new(file)),
            Some(vec![0xbc, 0x03, 0x01, 0x52, 0xc8])
        );
    }

    #[test]
    fn anything_else_gives_none() {
        let abi = note(b"GNU\0", 1, &[0; 16]);
        // No build ID note.
        assert_eq!(gnu_build_id(&mut Cursor::new(elf(&[&abi]))), None);
        // Not ELF; 32-bit; big-endian; cut short.
        let id = note(b"GNU\0", NT_GNU_BUILD_ID, &[1, 2, 3, 4]);
        let good = elf(&[&id]);
        assert!(gnu_build_id(&mut Cursor::new(good.clone())).is_some());
        for (at, byte) in [(0, b'#'), (4, 1), (5, 2)] {
            let mut bad = good.clone();
            bad[at] = byte;
            assert_eq!(gnu_build_id(&mut Cursor::new(bad)), None, "byte {at}");
        }
        for len in [0, 10, 64, 100, good.len() - 1] {
            assert_eq!(gnu_build_id(&mut Cursor::new(&good[..len])), None, "{len}");
        }
        // A note whose sizes run past the segment.
        let mut huge = id.clone();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(gnu_build_id(&mut Cursor::new(elf(&[&huge]))), None);
    }
}
